"""Long runs train on one worker thread per server process; pages only read their progress.

Every learner's script runs in a thread of one Python process. When a long run trains inside those
script runs (a slice per live update), it competes for the interpreter lock with everyone's clicks,
and each slice ends with a full redraw: thirty learners leave a run a few milliseconds of work per
update. Here a long run is handed to a worker thread that advances it in short slices, round-robin
with the other long runs of the process; the page's live fragment only draws what is there.

The worker and a page share a `Lesson` through its lock: the worker holds it for one slice (a few
milliseconds of training), a page holds it while it steps or draws. A run nobody has looked at for
`stale_s` seconds (its learner closed the tab) is paused, so abandoned sessions cost nothing.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol

from . import threads


class Job(Protocol):
    """What the worker needs of a lesson (gdcore.session.Lesson)."""

    lock: threading.RLock
    seen: float

    def advance(self, budget_s: float) -> bool:
        """Train for about budget_s seconds; False once there is nothing left to do."""

    def pause(self, error: BaseException | None = None) -> None:
        """Stop where it is (nobody is watching, or the run broke with `error`)."""


class Trainer:
    """One worker thread that advances submitted jobs in slices of `slice_s` seconds each."""

    def __init__(self, slice_s: float = 0.02, stale_s: float = 120.0):
        self.slice_s = slice_s
        self.stale_s = stale_s
        self._jobs: list[Job] = []
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> None:
        """Train `job` on the worker until its advance() says it is done."""
        with self._cv:
            if job not in self._jobs:
                self._jobs.append(job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="gdcore-trainer", daemon=True)
                self._thread.start()
            self._cv.notify()

    def cancel(self, job: Job) -> None:
        with self._cv:
            if job in self._jobs:
                self._jobs.remove(job)

    def pending(self) -> int:
        with self._cv:
            return len(self._jobs)

    def _work(self) -> None:
        threads.pin()  # this thread sums like every other that trains (gdcore/threads.py)
        while True:
            with self._cv:
                while not self._jobs:
                    self._cv.wait()
                jobs = list(self._jobs)
            moved = False
            for job in jobs:
                if not job.lock.acquire(blocking=False):
                    continue  # a page is stepping or drawing it: come back next round
                try:
                    if time.monotonic() - job.seen > self.stale_s:
                        job.pause()
                        going = False
                    else:
                        going = job.advance(self.slice_s)
                    moved = True
                except Exception as exc:  # a run that breaks must not stop every other learner's runs
                    job.pause(exc)
                    going = False
                finally:
                    job.lock.release()
                if not going:
                    self.cancel(job)
            if not moved:  # every job is being drawn right now: wait a moment instead of spinning
                with self._cv:
                    self._cv.wait(0.005)


_TRAINER: Trainer | None = None
_TRAINER_LOCK = threading.Lock()


def shared() -> Trainer:
    """The process's trainer (one worker thread for every session of this server process)."""
    global _TRAINER
    with _TRAINER_LOCK:
        if _TRAINER is None:
            _TRAINER = Trainer()
        return _TRAINER
