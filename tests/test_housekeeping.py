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


def test_settle_startup_takes_what_is_alive_out_of_every_collection_and_leaves_later_objects_in():
    alive = _Node()
    alive.holder = {"kept": [1, 2]}  # a tracked container, alive before the call (as a module's are)
    gc.disable()
    try:
        frozen = housekeeping.settle_startup()
        assert frozen == gc.get_freeze_count() > 0
        walked = {id(o) for o in gc.get_objects()}  # what a collection of any generation walks
        assert id(alive.holder) not in walked and id(alive) not in walked
        later = [alive]
        assert id(later) in {id(o) for o in gc.get_objects(generation=0)}
        ref = _cycle()  # a cycle made afterwards is still collected
        assert housekeeping.sweep() >= 2
        assert ref() is None
    finally:
        gc.unfreeze()  # back in the oldest generation, for the rest of this test process
        gc.enable()
    assert gc.get_freeze_count() == 0 and id(alive.holder) in {id(o) for o in gc.get_objects()}
