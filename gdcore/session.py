"""Per-user lesson state for the dashboard, with no streamlit in it (so it is testable).

A page keeps one `Lesson` per lesson in `st.session_state` (under a key no widget owns). The
lesson owns the current run and the long-run/play state; `tick()` advances a long run by a time
budget, so a page can call it from an `st.fragment(run_every=...)` and stay responsive.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from .config import Config
from .data import Dataset
from .engine import Run

IDLE, RUNNING, PLAYING = "idle", "running", "playing"


class Lesson:
    """One learner's state on one lesson page: config, data, run, and what is in progress."""

    def __init__(self) -> None:
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
            self.run = Run(config, data)
            self.config, self.data = config, data
            self.mode = IDLE
        return self.run

    def reset(self) -> None:
        if self.run is not None:
            self.run.reset()
        self.mode = IDLE

    def start(self, n: int | None = None) -> None:
        """Begin a long run of n steps (default: to the end); ticks advance it."""
        run = self.run
        if run is None or run.done:
            return
        remaining = run.total_steps - run.step_count
        self.target = run.step_count + (remaining if n is None else min(n, remaining))
        self.mode = RUNNING

    def play(self, steps_per_tick: int = 1) -> None:
        if self.run is not None and not self.run.done:
            self.play_steps = max(1, int(steps_per_tick))
            self.mode = PLAYING

    def stop(self) -> None:
        self.mode = IDLE

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
        """Advance whatever is in progress for about budget_s seconds; return the steps taken."""
        run = self.run
        if run is None or self.mode == IDLE:
            return 0
        if self.mode == PLAYING:
            taken = run.run(self.play_steps)
        else:
            deadline = time.perf_counter() + budget_s
            taken = run.run(self.target - run.step_count, callback=lambda r: time.perf_counter() < deadline)
        if run.done or (self.mode == RUNNING and run.step_count >= self.target):
            self.mode = IDLE
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
