"""Long runs on the process's worker thread: same numbers as a one-shot run, stoppable, shared fairly."""
import os
import sys
import threading
import time

import numpy as np
import pytest

from gdcore import Run, preset_config
from gdcore.session import IDLE, RUNNING, Lesson
from gdcore.trainer import Trainer, TurnLock


def _wait(predicate, timeout: float = 60.0) -> None:
    """Wait until predicate() holds (the worker runs in its own thread)."""
    deadline = time.monotonic() + timeout
    done = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not get there in time")
        done.wait(0.01)


def _lesson(trainer: Trainer, preset: str = "linreg-manual", **overrides) -> Lesson:
    lesson = Lesson(trainer)
    lesson.ensure(preset_config(preset, **overrides))
    return lesson


def _same_run(a: Run, b: Run) -> None:
    np.testing.assert_array_equal(a.losses(), b.losses())
    assert a.params() == b.params() and a.step_count == b.step_count


def test_a_long_run_trains_without_ticks_and_equals_the_one_shot_run():
    trainer = Trainer(slice_s=0.005)
    lesson = _lesson(trainer)
    lesson.run.run(7)  # steps taken by hand first, as a learner does
    lesson.start()
    assert lesson.mode == RUNNING
    assert lesson.tick() == 0  # the page's tick draws only: the worker trains
    _wait(lambda: not lesson.busy)
    ref = Run(preset_config("linreg-manual"))
    ref.run()
    _same_run(lesson.run, ref)
    assert lesson.run.step_count == 3000 and trainer.pending() == 0


def test_mini_batch_runs_interleave_on_one_worker_and_each_equals_its_own_run():
    trainer = Trainer(slice_s=0.002)
    a = _lesson(trainer, "linreg-minibatch")
    b = _lesson(trainer, "linreg-d2l")
    a.start(500)  # stops mid-epoch: the next slice must carry on with the same batches
    b.start()
    _wait(lambda: not a.busy and not b.busy)
    ref_a, ref_b = Run(preset_config("linreg-minibatch")), Run(preset_config("linreg-d2l"))
    ref_a.run(500)
    ref_b.run()
    _same_run(a.run, ref_a)
    _same_run(b.run, ref_b)
    a.start()  # and on to the end from there
    _wait(lambda: not a.busy)
    ref_a.run()
    _same_run(a.run, ref_a)


def test_stop_lets_go_at_the_next_slice_and_keeps_every_step():
    trainer = Trainer(slice_s=0.002)
    lesson = _lesson(trainer, "linreg-module")
    lesson.start()

    def trained_and_held() -> bool:
        """Hold the lesson's lock (the worker is between slices) once it has trained some steps."""
        lesson.lock.acquire()
        if lesson.run.step_count > 0:
            return True  # keep holding it: the worker cannot take another slice before Stop
        lesson.lock.release()
        return False

    _wait(trained_and_held)
    try:
        lesson.stop()
        at = lesson.run.step_count
        assert lesson.mode == IDLE and 0 < at < 30000
    finally:
        lesson.lock.release()
    _wait(lambda: trainer.pending() == 0)
    assert lesson.run.step_count == at
    ref = Run(preset_config("linreg-module"))
    ref.run(at)
    _same_run(lesson.run, ref)


def test_a_page_holding_the_lock_holds_the_run_still():
    trainer = Trainer(slice_s=0.002)
    lesson = _lesson(trainer)
    with lesson.lock:
        lesson.start()
        before = lesson.run.step_count
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.05:  # the worker is free to try meanwhile
            threading.Event().wait(0.005)
        assert lesson.run.step_count == before
    _wait(lambda: not lesson.busy)
    assert lesson.run.step_count == 3000


def test_an_unwatched_run_is_paused():
    trainer = Trainer(slice_s=0.002, stale_s=0.0)
    lesson = _lesson(trainer, "linreg-module")
    lesson.start()
    lesson.seen -= 1.0  # nobody has looked for a second
    _wait(lambda: not lesson.busy)
    assert lesson.run.step_count < 30000 and lesson.error is None and trainer.pending() == 0


def test_a_run_that_breaks_stops_with_a_reason_and_others_go_on():
    trainer = Trainer(slice_s=0.002)
    bad, good = _lesson(trainer), _lesson(trainer)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    bad.run.run = broken
    bad.start()
    good.start()
    _wait(lambda: not bad.busy and not good.busy)
    assert bad.error == "RuntimeError: out of memory"
    assert good.run.step_count == 3000 and good.error is None


def test_each_click_acts_once():
    lesson = _lesson(Trainer())
    token = lesson.next_token()
    assert lesson.take(token) and not lesson.take(token)
    assert lesson.next_token() > token
    lesson.reset()  # the step count goes back to 0, tokens keep growing
    assert lesson.next_token() > token


class _Probe:
    """A job that notes the scheduling priority of the thread that trains it, then is done."""

    def __init__(self) -> None:
        self.lock, self.seen, self.nice = TurnLock(), time.monotonic(), None

    def advance(self, budget_s: float) -> bool:
        self.nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return False

    def pause(self, error=None) -> None:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness is Linux's")
def test_the_worker_trains_at_the_lowest_priority_and_leaves_the_caller_as_it_was():
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    low, plain = _Probe(), _Probe()
    Trainer().submit(low)
    Trainer(nice=None).submit(plain)
    _wait(lambda: low.nice is not None and plain.nice is not None)
    assert low.nice == 19 and plain.nice == before  # clicks first; None keeps the starter's priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


class _Restarted:
    """A job that is done at its first slice and started again by its page the moment the worker lets go
    of it (a learner's Stop, then Run to end, between two slices)."""

    def __init__(self, trainer: Trainer) -> None:
        self.seen, self.slices = time.monotonic(), 0
        self.lock = TurnLock()
        release = self.lock.release

        def release_then_start() -> None:
            release()
            if self.slices == 1:
                trainer.submit(self)  # what Lesson.start does once it has set the run going again

        self.lock.release = release_then_start

    def advance(self, budget_s: float) -> bool:
        self.slices += 1
        return False  # done at every slice: only the restart brings it back for a second

    def pause(self, error=None) -> None:
        pass


def test_a_job_started_again_as_the_worker_lets_go_of_it_is_trained():
    trainer = Trainer(slice_s=0.002)
    job = _Restarted(trainer)
    trainer.submit(job)
    _wait(lambda: job.slices >= 2, timeout=10)  # dropped with the restart, it never came back
