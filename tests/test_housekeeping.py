"""The housekeeping sweep frees what only a full collection frees, and runs on its own thread."""
import gc
import threading
import weakref

from gdcore import housekeeping


class _Node:
    pass


def _cycle() -> weakref.ref:
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # unreachable once we return, but only a collection can see that
    return weakref.ref(a)


def test_sweep_collects_cycles():
    gc.disable()  # as if the automatic collector had not come round yet
    try:
        ref = _cycle()
        assert ref() is not None
        assert housekeeping.sweep() >= 2
        assert ref() is None
    finally:
        gc.enable()


def test_the_thread_sweeps_by_itself_until_stopped():
    gc.disable()
    sweeper = housekeeping.Sweeper(interval_s=0.01).start()
    try:
        ref = _cycle()
        collected = threading.Event()
        for _ in range(3000):  # wait on state: the weak reference dies at the thread's next sweep
            if ref() is None:
                collected.set()
                break
            collected.wait(0.01)
        assert collected.is_set() and sweeper.thread.daemon
    finally:
        sweeper.stop()
        gc.enable()
    assert not sweeper.thread.is_alive()


def test_the_chore_before_each_sweep_runs_and_a_failing_one_stops_nothing():
    calls = []
    done = threading.Event()

    def chore():
        calls.append(1)
        if len(calls) >= 3:
            done.set()
        raise RuntimeError("a chore that breaks")
    sweeper = housekeeping.Sweeper(interval_s=0.01, before=chore).start()
    try:
        assert done.wait(30)  # three sweeps came round although each chore raised
    finally:
        sweeper.stop()
    assert not sweeper.thread.is_alive()
