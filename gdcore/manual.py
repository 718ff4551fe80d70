"""Parameters set by hand: where a learner put (w, b), as plain values a run, a link and a script share.

A *move* puts the parameters somewhere by hand: at step 0 it is the run's start (the drawn w, b are
replaced), after step k it moves them between two updates and the run goes on from there. A run
keeps its moves in a `Moves` list (gdcore/run_moves.py); a share link writes them as
`moves=0:1.5:0.2,40:2.9:0.7` (step:w:b, comma-separated; several features: w values joined by `;`);
the exported script repeats them (gdcore/codegen). Everything here is pure: numbers in, numbers out.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MAX_MOVES = 16  # moves a run (and a link) keeps: the start and the latest 15 hand moves
PARAM_BOUND = 1e4  # |w|, |b| set by hand: far beyond any landscape the lessons draw
MAX_MOVES_CHARS = 1200  # a link's moves text (16 moves of a few numbers each)
MAX_MOVE_STEP = 5_000_000  # the most steps a run has (README: limits)


@dataclass(frozen=True)
class Move:
    """(w, b) set by hand after `step` updates (0: the start)."""

    step: int
    w: tuple[float, ...]
    b: tuple[float, ...]


class Moves(list):
    """A run's own list of moves, in step order (a plain list is a link's, not yet applied)."""


def checked(step: int, w: Sequence[float], b: Sequence[float]) -> Move:
    """A Move from numbers, or ValueError with a reason code (not_finite, out_of_range)."""
    w, b = tuple(float(v) for v in w), tuple(float(v) for v in b)
    if not all(math.isfinite(v) for v in w + b):
        raise ValueError("not_finite")
    if any(abs(v) > PARAM_BOUND for v in w + b) or not 0 <= int(step) <= MAX_MOVE_STEP:
        raise ValueError("out_of_range")
    return Move(int(step), w, b)


def add(moves: list[Move], move: Move) -> None:
    """Put `move` into `moves` in place: replaces a move at the same step, keeps step order and the
    start, and drops the oldest hand moves beyond MAX_MOVES."""
    moves[:] = sorted([m for m in moves if m.step != move.step] + [move], key=lambda m: m.step)
    while len(moves) > MAX_MOVES:
        del moves[1 if moves[0].step == 0 else 0]


def _num(v: float) -> str:
    return repr(float(np.float32(v)))  # the float32 value the run uses, read back exactly


def moves_text(moves: Sequence[Move]) -> str:
    """The link value of some moves: `step:w:b,...` (w's values joined by ';')."""
    return ",".join(f"{m.step}:{';'.join(map(_num, m.w))}:{';'.join(map(_num, m.b))}" for m in moves)


def parse_moves(raw: str) -> list[Move]:
    """Moves from a link value; ValueError with a reason code when any part is malformed.

    Nothing is evaluated: each part is split on ':' and ';' and read with float().
    """
    raw = str(raw).strip()
    if len(raw) > MAX_MOVES_CHARS:
        raise ValueError("too_long")
    if not raw:
        return []
    out: list[Move] = []
    parts = raw.split(",")
    if len(parts) > MAX_MOVES:
        raise ValueError("too_long")
    for part in parts:
        bits = part.split(":")
        if len(bits) != 3:
            raise ValueError("not_a_number")
        try:
            step = float(bits[0])
            w = [float(v) for v in bits[1].split(";")]
            b = [float(v) for v in bits[2].split(";")]
        except ValueError:
            raise ValueError("not_a_number") from None
        if not math.isfinite(step) or step != int(step):
            raise ValueError("not_integer")
        if any(m.step == int(step) for m in out):
            raise ValueError("out_of_range")
        out.append(checked(int(step), w, b))
    return sorted(out, key=lambda m: m.step)


def start_of(moves: Sequence[Move]) -> Move | None:
    """The move at step 0 (the start set by hand), if any."""
    return next((m for m in moves if m.step == 0), None)


# -- a click on the landscape -----------------------------------------------------------------------

PICK = "pick"  # the landscape's point-selection parameter


def _value(v):
    return v[0] if isinstance(v, (list, tuple)) and v else v


def point_from_selection(state, name: str = PICK) -> tuple[float, float] | None:
    """(w, b) at the centre of the landscape cell a learner clicked, from a chart's selection state.

    Streamlit returns `{"selection": {name: [{"w": .., "w2": .., "b": .., "b2": ..}]}}` (a list of the
    clicked data's projected fields; an empty list or dict when the click was cleared). Field values
    that come as one-element lists are read too. None when nothing usable was clicked.
    """
    try:
        sel = state["selection"][name]
    except (KeyError, TypeError, IndexError):
        return None
    if isinstance(sel, (list, tuple)):
        sel = sel[0] if sel else None
    if not isinstance(sel, Mapping):
        return None
    try:
        w, b = float(_value(sel["w"])), float(_value(sel["b"]))
        if "w2" in sel and "b2" in sel:  # a cell: its centre
            w, b = (w + float(_value(sel["w2"]))) / 2, (b + float(_value(sel["b2"]))) / 2
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(w) and math.isfinite(b)):
        return None
    return w, b


# -- the loss and its gradient by hand -----------------------------------------------------------------

def mse_gradient(X, y, w: float, b: float, half: bool = False) -> tuple[float, float]:
    """(dL/dw, dL/db) of L = mean((w x + b - y)^2) (or half of it) at (w, b), in float64.

    dL/dw = 2 mean((w x + b - y) x), dL/db = 2 mean(w x + b - y): what loss.backward() leaves in
    w.grad and b.grad for the full data set.
    """
    x = np.asarray(X, dtype=np.float64).reshape(-1)
    t = np.asarray(y, dtype=np.float64).reshape(-1)
    r = w * x + b - t
    k = 1.0 if half else 2.0
    return float(k * np.mean(r * x)), float(k * np.mean(r))


@dataclass(frozen=True)
class Versus:
    """Your loss at (w, b) against the least-squares loss: 'beat the optimizer'."""

    loss: float
    loss_star: float
    scale: float  # the loss of the best flat line (the variance of y): what "far" is measured against

    @property
    def excess(self) -> float:
        """loss - loss*, never below 0 (nobody beats least squares)."""
        return max(self.loss - self.loss_star, 0.0)

    @property
    def verdict(self) -> str:
        """'tie' within 1 % of loss* (plus a hair of the scale, for noise-free data whose loss* is 0),
        'close' within loss* (or 5 % of the scale), else 'far'."""
        e = self.excess
        if e <= 0.01 * self.loss_star + 1e-4 * self.scale:
            return "tie"
        return "close" if e <= max(self.loss_star, 0.05 * self.scale) else "far"


def versus(X, y, w: float, b: float, loss_star: float) -> Versus:
    """The mean squared error of y = w x + b on (X, y) in float64, against loss*."""
    x = np.asarray(X, dtype=np.float64).reshape(-1)
    t = np.asarray(y, dtype=np.float64).reshape(-1)
    return Versus(float(np.mean((w * x + b - t) ** 2)), float(loss_star), float(np.var(t)))


def slider_range(centre: float, start: float, span: float = 4.0) -> tuple[float, float]:
    """A slider's (lo, hi) around the optimum's value that holds the start: stable while a run goes on."""
    half = max(span, 1.5 * abs(centre), 1.25 * abs(start - centre))
    step = 10 ** math.floor(math.log10(half)) / 10
    lo = math.floor((centre - half) / step) * step
    hi = math.ceil((centre + half) / step) * step
    return float(max(lo, -PARAM_BOUND)), float(min(hi, PARAM_BOUND))


# -- a path and a step with the moves in them ---------------------------------------------------------

def path_with_moves(steps, w, b, moves: Sequence[Move]):
    """(steps, w, b) of a path (step 0 first) with each hand move after step k inserted after k's point,
    so the path draws the jump; the step of a moved point is k (the same step, a second point)."""
    steps, w, b = (np.asarray(a) for a in (steps, w, b))
    later = [m for m in moves if m.step > 0]
    if not later:
        return steps, w, b
    s_out, w_out, b_out = list(steps), list(w), list(b)
    for m in sorted(later, key=lambda m: -m.step):
        pos = int(np.searchsorted(np.asarray(s_out), m.step, side="right"))
        if pos == 0 or s_out[pos - 1] != m.step:
            continue  # that step's point was thinned away or not reached
        s_out.insert(pos, m.step)
        w_out.insert(pos, m.w[0])
        b_out.insert(pos, m.b[0])
    return np.asarray(s_out), np.asarray(w_out, float), np.asarray(b_out, float)


def records_before(records: Sequence[dict], moves: Sequence[Move]) -> list[dict]:
    """The last record with, before it, where its step started from: the previous record, or the hand
    move made just before it (so a step explained after a move starts at the moved point)."""
    if not records:
        return []
    rec = records[-1]
    moved = next((m for m in moves if m.step == rec["step"] - 1 and m.step > 0), None)
    if moved is None:
        return list(records[-2:])
    return [{"step": moved.step, "w": moved.w[0], "b": moved.b[0]}, rec]
