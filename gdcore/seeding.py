"""Which tutorials fix their random numbers, and how far apart an unseeded tutorial's runs end.

- 004 seeds everything (`torch.manual_seed(123)` before its data and its w, b): the dashboard
  reproduces its numbers exactly.
- 000 seeds its data (`np.random.seed(100)`) but not its start (`w = torch.randn(1, ...)`): the
  points are the tutorial's, the start is not.
- 001, 002 and 003 set no seed at all: every run of the tutorial draws other data and another start.

For those the dashboard's seed is its own choice (it makes a run repeatable and shareable), not
the tutorial's. How much an unseeded tutorial's result varies is measured, not guessed: each
tutorial run to its end with seeds 0..SEEDS-1 for whatever it leaves unseeded (the data kept
fixed for 000). The final w, b of those runs are stored in gdcore/seed_spread.py, made by
`python -m gdcore.seeding > gdcore/seed_spread.py` and checked against fresh runs by the tests.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .data import Dataset
from .engine import Run
from .i18n import Message
from .presets import PRESETS

SEEDS = 20  # runs per tutorial in the stored spread


@dataclass(frozen=True)
class TutorialSeeding:
    """What a tutorial's own code seeds: the call that fixes its data, and its start w, b (None: unseeded)."""

    number: str  # the tutorial's number, as the lessons name it
    data: str | None
    start: str | None


TUTORIALS = {
    "linreg-minibatch": TutorialSeeding("000", "np.random.seed(100)", None),
    "linreg-d2l": TutorialSeeding("001", None, None),
    "linreg-module": TutorialSeeding("002", None, None),
    "linreg-manual": TutorialSeeding("003", None, None),
    "logreg-manual": TutorialSeeding("004", "torch.manual_seed(123)", "torch.manual_seed(123)"),
}


def tutorial_run(preset: str) -> Config:
    """The run as the tutorial's code does it, to its end (000's loop body works on the full tensors)."""
    c = PRESETS[preset]
    return c.replace(full_tensor_pitfall=True) if preset == "linreg-minibatch" else c


def finals(preset: str, seeds, data: Dataset | None = None) -> list[tuple[int, list[float], float]]:
    """(seed, final w, final b) of the tutorial's run for each seed, varying only what it leaves unseeded.

    A tutorial that seeds its data keeps the preset's data for every seed (pass it as `data` to skip
    making it again); the others draw data and start from the seed.
    """
    base = tutorial_run(preset)
    if TUTORIALS[preset].data is not None and data is None:
        data = Run(base).data
    out = []
    for s in seeds:
        run = Run(base.replace(seed=int(s)), data if TUTORIALS[preset].data is not None else None)
        run.run()
        p = run.params()
        out.append((int(s), p["w"], p["b"][0]))
    return out


@dataclass(frozen=True)
class Spread:
    """The range of the final w (per feature) and b over n unseeded runs of a tutorial."""

    n: int
    w_lo: tuple[float, ...]
    w_hi: tuple[float, ...]
    b_lo: float
    b_hi: float


def spread(preset: str, table: dict | None = None) -> Spread | None:
    """The stored spread of a tutorial's final w, b (None for a fully seeded tutorial or one not measured)."""
    if table is None:
        from .seed_spread import FINALS as table
    rows = table.get(preset)
    if not rows:
        return None
    ws = list(zip(*[w for _, w, _ in rows]))
    bs = [b for _, _, b in rows]
    return Spread(len(rows), tuple(min(v) for v in ws), tuple(max(v) for v in ws), min(bs), max(bs))


def _span(lo: float, hi: float) -> str:
    return f"{lo:.3f} – {hi:.3f}"


def sentence(preset: str) -> Message:
    """Plainly: what the tutorial seeds, and how far its unseeded runs end apart (with the measured numbers)."""
    T = Message.of
    t = TUTORIALS[preset]
    if t.data is not None and t.start is not None:
        return T("seeding.all", tutorial=t.number, call=t.data)
    s = spread(preset)
    if s is None:
        return T("seeding.none_unmeasured", tutorial=t.number)
    w = ", ".join(_span(lo, hi) for lo, hi in zip(s.w_lo, s.w_hi))
    values = dict(tutorial=t.number, n=s.n, w=w, b=_span(s.b_lo, s.b_hi))
    if t.data is not None:
        return T("seeding.data_only", call=t.data, **values)
    return T("seeding.none", **values)


def _table_module(presets=("linreg-minibatch", "linreg-d2l", "linreg-module", "linreg-manual")) -> str:
    """The text of gdcore/seed_spread.py: every unseeded tutorial's finals for seeds 0..SEEDS-1."""
    lines = ['"""Final w, b of each unseeded tutorial run to its end with seeds 0..19 (what it leaves unseeded',
             'drawn from the seed). Made by `python -m gdcore.seeding > gdcore/seed_spread.py`; '
             'see gdcore/seeding.py."""',
             "", "FINALS = {"]
    for p in presets:
        lines.append(f"    {p!r}: [")
        for s, w, b in finals(p, range(SEEDS)):
            lines.append(f"        ({s}, [{', '.join(f'{v:.9g}' for v in w)}], {b:.9g}),")
        lines.append("    ],")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import torch
    torch.set_num_threads(1)  # as the dashboard runs
    print(_table_module(), end="")
