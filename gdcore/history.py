"""Per-step history, recorded without slowing the loop and bounded in memory.

Each step writes one row (loss, parameters, gradients, optimizer state) into a staging tensor on
the run's device, using views made once per run; nothing is copied to the host per step. Every
`chunk` steps (or when someone asks) the staged rows come over in one transfer and are checked
for non-finite values.

On the host:
- the per-step loss is kept whole, in the run's precision (4 bytes a step; 8 in float64);
- the detailed rows (parameters, gradients, optimizer state; D values) are kept at full
  detail for the most recent `window` steps, and thinned beyond that: every `stride`-th step is
  kept, the stride doubling whenever the thinned store fills, so it never holds more than
  `thin_cap` rows. Memory is therefore 4 bytes a step plus at most (window + thin_cap) * D * 4
  bytes, whatever the run length.
"""
from __future__ import annotations

import time

import numpy as np
import torch


class _Grow:
    """A float32, float64 (or int64) array that grows by doubling; no per-append object churn."""

    def __init__(self, cols: int = 0, dtype=np.float32, capacity: int = 1024):
        shape = (capacity,) if cols == 0 else (capacity, cols)
        self.a = np.empty(shape, dtype=dtype)
        self.n = 0

    def extend(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self.a):
            cap = max(need, 2 * len(self.a))
            bigger = np.empty((cap,) + self.a.shape[1:], dtype=self.a.dtype)
            bigger[: self.n] = self.a[: self.n]
            self.a = bigger
        self.a[self.n: need] = rows
        self.n = need

    def view(self) -> np.ndarray:
        return self.a[: self.n]

    def truncate(self, n: int) -> None:
        self.n = min(self.n, n)


class History:
    """The record of one run; `columns` names the D detail values of a row."""

    def __init__(self, columns: list[str], device: torch.device, chunk: int | None = None,
                 window: int = 4096, thin_cap: int = 4096, dtype: torch.dtype = torch.float32):
        self.columns = list(columns)
        self.D = len(columns)
        self.chunk = chunk or (64 if device.type == "cpu" else 2048)
        self.window = window
        self.thin_cap = thin_cap
        # rows in the run's own precision, so a float64 run's parameters are kept to the last bit
        self.stage = torch.zeros(self.chunk, 1 + self.D, device=device, dtype=dtype)
        rows = np.float64 if dtype == torch.float64 else np.float32
        self.j = 0  # staged rows not yet flushed
        self.loss = _Grow(dtype=rows)
        # recent window: a ring of rows with their step numbers
        self.ring = np.zeros((window, self.D), dtype=rows)
        self.ring_steps = np.full(window, -1, dtype=np.int64)
        # thinned store
        self.stride = 1
        self.thin = _Grow(self.D, dtype=rows, capacity=min(thin_cap, 1024))
        self.thin_steps = _Grow(dtype=np.int64, capacity=min(thin_cap, 1024))
        self.epoch_loss: list[float] = []  # training loss after each epoch
        self.epoch_val: list[float] = []  # validation loss after each epoch (when held out)
        self.epoch_end_step: list[int] = []
        self.wall: list[tuple[int, float]] = [(0, 0.0)]  # (steps done, training seconds) marks
        self.seconds = 0.0  # time spent in training steps
        self._t0: float | None = None

    # -- writing --------------------------------------------------------------------------------
    def row_views(self, P: int, S: int) -> tuple[list, list, list, list]:
        """Views into the staging rows for loss (1, 1), params (P,), grads (P,), state (S,)."""
        st = self.stage
        lv = [st[j, 0:1].view(1, 1) for j in range(self.chunk)]
        pv = [st[j, 1:1 + P] for j in range(self.chunk)]
        gv = [st[j, 1 + P:1 + 2 * P] for j in range(self.chunk)]
        sv = [st[j, 1 + 2 * P:1 + 2 * P + S] for j in range(self.chunk)]
        return lv, pv, gv, sv

    @property
    def n_steps(self) -> int:
        """Steps recorded so far, staged ones included."""
        return self.loss.n + self.j

    def flush(self) -> tuple[int, int] | None:
        """Move staged rows to the host; return (row, column) of the first non-finite value, if any.

        Rows from the first non-finite one on are dropped, so nothing non-finite is ever stored.
        """
        if self.j == 0:
            return None
        rows = self.stage[: self.j].cpu().numpy()
        self.j = 0
        finite = np.isfinite(rows)
        bad = None
        if not finite.all():
            r = int(np.argmin(finite.all(axis=1)))
            c = int(np.argmin(finite[r]))
            bad = (r, c)
            rows = rows[:r]
        if len(rows):
            first = self.loss.n  # 0-based index of rows[0]
            self.loss.extend(rows[:, 0])
            detail = rows[:, 1:]
            steps = np.arange(first, first + len(rows))
            slots = steps % self.window
            self.ring[slots] = detail
            self.ring_steps[slots] = steps
            self._thin_add(steps, detail)
        return bad

    def _thin_add(self, steps: np.ndarray, detail: np.ndarray) -> None:
        keep = steps % self.stride == 0
        if keep.any():
            self.thin.extend(detail[keep])
            self.thin_steps.extend(steps[keep])
        while self.thin.n > self.thin_cap:
            self.stride *= 2
            mask = self.thin_steps.view() % self.stride == 0
            kept, kept_steps = self.thin.view()[mask].copy(), self.thin_steps.view()[mask].copy()
            self.thin.n = self.thin_steps.n = 0
            self.thin.extend(kept)
            self.thin_steps.extend(kept_steps)

    def start_clock(self) -> None:
        self._t0 = time.perf_counter()

    def stop_clock(self, steps_done: int) -> None:
        if self._t0 is not None:
            self.seconds += time.perf_counter() - self._t0
            self._t0 = None
            self.wall.append((steps_done, self.seconds))

    # -- reading --------------------------------------------------------------------------------
    def losses(self) -> np.ndarray:
        """The per-step training loss, in the run's precision (flushed rows only)."""
        return self.loss.view()

    def detail(self, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(steps, rows): the detailed rows kept, in step order; `last` limits to the newest ones.

        Steps are 1-based (step 1 is the first update).
        """
        n = self.loss.n
        lo_recent = max(0, n - self.window)
        recent_steps = np.arange(lo_recent, n)
        recent = self.ring[recent_steps % self.window]
        if last is not None:
            k = min(last, len(recent_steps))
            return recent_steps[len(recent_steps) - k:] + 1, recent[len(recent) - k:]
        ts, tr = self.thin_steps.view(), self.thin.view()
        older = ts < lo_recent
        steps = np.concatenate([ts[older], recent_steps])
        rows = np.concatenate([tr[older], recent]) if len(steps) else np.zeros((0, self.D), self.ring.dtype)
        return steps + 1, rows

    def truncate(self, n: int) -> None:
        """Forget every step after the first n (used when a diverged chunk is rolled back)."""
        self.loss.truncate(n)
        ts = self.thin_steps.view()
        m = int(np.searchsorted(ts, n))
        self.thin.truncate(m)
        self.thin_steps.truncate(m)

    def nbytes(self) -> int:
        """Host memory held by this history (arrays only)."""
        return (self.loss.a.nbytes + self.ring.nbytes + self.ring_steps.nbytes + self.thin.a.nbytes
                + self.thin_steps.a.nbytes + self.stage.element_size() * self.stage.nelement())
