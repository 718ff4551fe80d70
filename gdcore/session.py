"""Per-user lesson state for the dashboard, with no streamlit in it (so it is testable).

A page keeps one `Lesson` per lesson in `st.session_state` (under a key no widget owns). The
lesson owns the current run and the long-run/play state. With a `Trainer` (gdcore.trainer), a long
run trains on the process's worker thread and the page's live fragment only draws; without one,
`tick()` advances it by a time budget in the caller's thread (tests, scripts).

The worker and the page share the lesson through `lock`: hold it to step, reset or read the run.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .config import Config
from .data import Dataset
from .engine import Run
from .trainer import TurnLock

IDLE, RUNNING, PLAYING = "idle", "running", "playing"


class Lesson:
    """One learner's state on one lesson page: config, data, run, and what is in progress."""

    def __init__(self, trainer=None) -> None:
        self.lock = TurnLock()  # the page and the worker take turns on the run (a waiting page goes first)
        self.trainer = trainer  # None: long runs advance by tick() in the caller's thread
        self.seen = time.monotonic()  # when a page last looked (the worker pauses unwatched runs)
        self.quiet = False  # a long run that shows only its progress until it ends (Run to end, replays)
        self.error: str | None = None  # why the worker had to stop the last long run
        self._token = -1  # the last click acted on (see take())
        self.config: Config | None = None
        self.data: Dataset | None = None
        self.run: Run | None = None
        self.mode = IDLE
        self.target = 0  # step count a long run is heading for
        self.play_steps = 1  # steps per tick while playing
        self.extra: dict = {}  # page-specific values (race runs, sweep results), bounded by the page

    def ensure(self, config: Config, data: Dataset | None = None) -> Run:
        """The lesson's run for this config and data; a new run only when either changed."""
        if self.run is None or config != self.config or (data is not None and data is not self.data):
            run = Run(config, data)  # built outside the lock: a bad config raises before anything changes
            with self.lock:
                self.stop()
                self.run = run
                self.config, self.data = config, data
        return self.run

    def reset(self) -> None:
        with self.lock:
            self.stop()
            if self.run is not None:
                self.run.reset()

    def start(self, n: int | None = None, quiet: bool = False) -> None:
        """Begin a long run of n steps (default: to the end) on the trainer, or by ticks without one."""
        with self.lock:
            run = self.run
            if run is None or run.done:
                return
            remaining = run.total_steps - run.step_count
            self.target = run.step_count + (remaining if n is None else min(n, remaining))
            self.mode, self.quiet, self.error = RUNNING, quiet, None
            self.seen = time.monotonic()
        if self.trainer is not None:
            self.trainer.submit(self)

    def play(self, steps_per_tick: int = 1) -> None:
        with self.lock:
            if self.run is not None and not self.run.done:
                self.play_steps = max(1, int(steps_per_tick))
                self.mode = PLAYING

    def stop(self) -> None:
        """Stop whatever is in progress (the worker lets go of the run at its next slice)."""
        with self.lock:
            self.mode, self.quiet = IDLE, False
        if self.trainer is not None:
            self.trainer.cancel(self)

    def pause(self, error: BaseException | None = None) -> None:
        """The worker's stop: nobody watched the run for a while, or it broke."""
        self.mode, self.quiet = IDLE, False
        if error is not None:
            self.error = f"{type(error).__name__}: {error}"

    def take(self, token: int | None) -> bool:
        """True once per click: a button drawn with `token` acts on its first callback only.

        A click inside the lesson's fragment can reach its callback twice (in the fragment's run
        and again in the full rerun the fragment asks for when a long run starts or stops); both
        carry the token the button was drawn with, and tokens only grow.
        """
        with self.lock:
            if token is None or token <= self._token:
                return False
            self._token = token
            return True

    def next_token(self) -> int:
        """A token for the buttons drawn now (larger than every token taken so far)."""
        with self.lock:
            return self._token + 1

    @property
    def busy(self) -> bool:
        return self.mode != IDLE

    def progress(self) -> float:
        """Share of the current long run done (1.0 when idle)."""
        run = self.run
        if run is None or self.mode != RUNNING or self.target <= 0:
            return 1.0
        return min(1.0, run.step_count / self.target)

    def tick(self, budget_s: float = 0.2) -> int:
        """Advance whatever is in progress for about budget_s seconds; return the steps taken.

        A page calls this on every live update: it plays the next steps, and advances a long run
        itself only when no trainer does (with one, the worker is already on it).
        """
        self.seen = time.monotonic()
        if self.mode == RUNNING and self.trainer is not None:
            return 0
        with self.lock:
            return self._advance(budget_s)

    def advance(self, budget_s: float) -> bool:
        """The worker's slice (called with the lock held): True while the long run goes on."""
        if self.mode != RUNNING:
            return False
        self._advance(budget_s)
        return self.mode == RUNNING

    def _advance(self, budget_s: float) -> int:
        run = self.run
        if run is None or self.mode == IDLE:
            return 0
        if self.mode == PLAYING:
            taken = run.run(self.play_steps)
        else:
            deadline = time.perf_counter() + budget_s
            taken = run.run(self.target - run.step_count, callback=lambda r: time.perf_counter() < deadline)
        if run.done or (self.mode == RUNNING and run.step_count >= self.target):
            self.mode, self.quiet = IDLE, False
        return taken


def history_frame(run: Run, last: int | None = None) -> pd.DataFrame:
    """The run's detailed per-step records as a frame (step, epoch, batch, loss, params, grads, state)."""
    recs = run.records(last=last)
    cols = ["step", "epoch", "batch", "loss"] + run.history.columns
    return pd.DataFrame(recs, columns=cols)


def history_csv(run: Run) -> str:
    """History for download: every step's loss, with parameters and gradients where kept."""
    run.sync()
    losses = run.losses()
    frame = pd.DataFrame({"step": np.arange(1, len(losses) + 1), "loss": losses.astype(np.float64)})
    detail = history_frame(run).drop(columns=["loss"])
    frame = frame.merge(detail, on="step", how="left")
    first = ["step", "epoch", "batch", "loss"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    return frame.to_csv(index=False, float_format="%.9g")
