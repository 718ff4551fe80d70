"""Moves by hand for gdcore.engine.Run: put (w, b) somewhere, at the start or between two steps.

    run.move_to(w, b)      # at step 0: the run's start; later: between step k and k + 1
    run.moves              # [Move(step, w, b), ...]: what the history, a link and the script repeat
    run.set_moves(moves)   # start over with these moves (a link's); each applies at its step

A move after step k is applied once step k is done, before step k + 1, whichever way the run is
driven (Step, Run N, a replay on the worker), so a run with the same config and moves gives the same
numbers bit for bit. Reset keeps the start set by hand and forgets the moves made after it.
"""
from __future__ import annotations

import torch

from . import manual
from .manual import Move, Moves


class RunMoves:
    """The hand moves of a run (mixed into gdcore.engine.Run, which holds the state read here)."""

    def _init_moves(self) -> None:
        self.moves = Moves()

    def _start_params(self, w0: torch.Tensor, b0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The start: the hand move at step 0 when there is one (after the drawn w, b were drawn)."""
        self.drawn_start = (w0, b0)  # what the seed drew (the landscape keeps it in view)
        start = manual.start_of(self.moves)
        if start is None:
            return w0, b0
        return (torch.tensor(start.w, dtype=w0.dtype).reshape(w0.shape),
                torch.tensor(start.b, dtype=b0.dtype).reshape(b0.shape))

    def _keep_start_only(self) -> None:
        self.moves[:] = [m for m in self.moves if m.step == 0]

    def move_to(self, w, b) -> Move:
        """Put the parameters at (w, b) now; ValueError (not_finite / out_of_range) for bad numbers.

        Before the first step, or once the run has ended (finished or diverged), this is a new start:
        the run starts over from (w, b). Otherwise the run goes on from (w, b) at its next step.
        """
        w = [float(v) for v in torch.as_tensor(w, dtype=torch.float64).reshape(-1)]
        b = [float(v) for v in torch.as_tensor(b, dtype=torch.float64).reshape(-1)]
        if len(w) != self.w0.numel() or len(b) != self.b0.numel():
            raise ValueError("out_of_range")
        self.sync()
        step = 0 if (self.step_count == 0 or self.done) else self.step_count
        move = manual.checked(step, w, b)
        if step == 0:
            self.moves[:] = [move]
            self._build()
            return move
        manual.add(self.moves, move)
        self._apply(move)
        return move

    def set_moves(self, moves) -> None:
        """Start over with these moves (each applied when its step is reached)."""
        ordered = sorted(moves, key=lambda m: m.step)[-manual.MAX_MOVES:]
        self.moves[:] = [manual.checked(m.step, m.w, m.b) for m in ordered]
        self._build()

    def _next_move_step(self) -> int | None:
        """The step after which the next scheduled move applies (None when none is ahead)."""
        return next((m.step for m in self.moves if m.step > self.step_count), None)

    def _apply_due(self) -> None:
        """Apply the move scheduled for the current step, once the steps before it were checked."""
        move = next((m for m in self.moves if m.step == self.step_count and m.step > 0), None)
        if move is None:
            return
        self._flush()  # a divergence before the move stops the run there, as stepping one at a time would
        if self.status == "ok" and self.step_count == move.step:
            self._apply(move)

    def _apply(self, move: Move) -> None:
        theta = self.model.theta
        with torch.no_grad():
            theta.copy_(torch.tensor(move.w + move.b, dtype=torch.float64).to(theta.dtype))
