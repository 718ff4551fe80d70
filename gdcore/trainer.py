"""Long runs train on one worker thread per server process; pages only read their progress.

Every learner's script runs in a thread of one Python process. When a long run trains inside those
script runs (a slice per live update), it competes for the interpreter lock with everyone's clicks,
and each slice ends with a full redraw: thirty learners leave a run a few milliseconds of work per
update. Here a long run is handed to a worker thread that advances it in short slices, round-robin
with the other long runs of the process; the page's live fragment only draws what is there.

The worker and a page share a `Lesson` through its lock: the worker holds it for one slice (a few
milliseconds of training), a page holds it while it steps or draws. A run nobody has looked at for
`stale_s` seconds (its learner closed the tab) is paused, so abandoned sessions cost nothing.

The worker runs at the lowest scheduling priority the system gives a thread (`nice`, Linux): a long
run trains on CPU time the clicks of the room leave over. Most of a step's time is torch's own C++
work with the interpreter lock let go, so at the same priority as everything else the worker took CPU
from the server's script threads and from the other server processes on the host (about 40 % of a
core in one of two processes, with ten of 100 learners pressing Run to end), and everyone's clicks
queued behind it. With a free core it trains as fast as before; on a busy one a long run finishes
later and the room stays answered.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from typing import Protocol

from . import threads

NICE = 19  # the worker thread's niceness: the lowest priority (Linux's range is -20 to 19)


def lower_priority(nice: int = NICE) -> bool:
    """Give the calling thread the scheduling priority `nice` (Linux, where niceness is a thread's own);
    False where it could not be set. Raising one's own niceness needs no privilege."""
    if not sys.platform.startswith("linux"):  # elsewhere PRIO_PROCESS with a thread's id names a process
        return False
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
        return True
    except OSError:
        return False


class TurnLock:
    """A re-entrant lock that the worker gives up between slices whenever a page is waiting for it.

    A plain lock released by the worker at the end of a slice is usually taken again by the worker
    for the next slice before the page blocked on it wakes up: the page would wait for the whole run.
    A page's blocking acquire counts itself as waiting; the worker takes only locks nobody waits for.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()
        self._waiting = 0

    @property
    def wanted(self) -> bool:
        """A page is waiting for this lock (the worker leaves it alone this round)."""
        return self._waiting > 0

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking:
            return self._lock.acquire(False)
        with self._count:
            self._waiting += 1
        try:
            return self._lock.acquire(True, timeout)
        finally:
            with self._count:
                self._waiting -= 1

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> TurnLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Job(Protocol):
    """What the worker needs of a lesson (gdcore.session.Lesson)."""

    lock: TurnLock
    seen: float

    def advance(self, budget_s: float) -> bool:
        """Train for about budget_s seconds; False once there is nothing left to do."""

    def pause(self, error: BaseException | None = None) -> None:
        """Stop where it is (nobody is watching, or the run broke with `error`)."""


class Trainer:
    """One worker thread that advances submitted jobs in slices of `slice_s` seconds each."""

    def __init__(self, slice_s: float = 0.02, stale_s: float = 120.0, nice: int | None = NICE):
        self.slice_s = slice_s
        self.stale_s = stale_s
        self.nice = nice  # the worker thread's niceness (None: the priority of the thread that starts it)
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
        if self.nice is not None:  # first: threads torch starts from this one inherit it
            lower_priority(self.nice)  # clicks first: see the module's docstring
        threads.pin()  # this thread sums like every other that trains (gdcore/threads.py)
        while True:
            with self._cv:
                while not self._jobs:
                    self._cv.wait()
                jobs = list(self._jobs)
            moved = False
            for job in jobs:
                if job.lock.wanted or not job.lock.acquire(blocking=False):
                    continue  # a page is stepping or drawing it, or waits to: come back next round
                going = False
                try:
                    if time.monotonic() - job.seen > self.stale_s:
                        job.pause()
                    else:
                        going = job.advance(self.slice_s)
                    moved = True
                except Exception as exc:  # a run that breaks must not stop every other learner's runs
                    job.pause(exc)
                finally:
                    # Drop a finished job before letting go of its lock: a page that starts it again
                    # (Stop, then Run to end) does so under the lock and submits it afresh after this.
                    # Dropped after the release, a start in between was dropped with it, and the page
                    # showed a run that never moved.
                    if not going:
                        self.cancel(job)
                    job.lock.release()
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
