"""What every exercise is built from: the Exercise and Verdict records, and the tutorial runs they train."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config
from ..presets import preset_config

# verdicts that ask for a complete answer rather than judge one (they are not tries)
INPUT_KEYS = frozenset({"pick_one", "pick_both", "need_number", "need_lr", "need_lr_and_limit", "bad_setting",
                        "acc_too_long"})


@dataclass(frozen=True)
class Verdict:
    ok: bool
    key: str  # locale key under exercises.verdict.*
    values: dict = field(default_factory=dict)

    @property
    def is_try(self) -> bool:
        """A judged answer (right or wrong), not a request to fill in the fields first."""
        return self.key not in INPUT_KEYS


@dataclass(frozen=True)
class Exercise:
    id: str
    kind: str  # predict, goldilocks, diverge, fix, accuracy, race
    options: tuple[str, ...] = ()  # choice ids for "fix" / "race" answers (labels in the locale file)
    hints: int = 2  # how many hints the locale file has


# -- the configs the exercises use --------------------------------------------------------------

def manual_config(**overrides) -> Config:
    """Tutorial 003: 50 points y = 3x + 0.8, w, b = torch.rand(1), full-batch manual GD."""
    return preset_config("linreg-manual", **overrides)


def noisy_config(**overrides) -> Config:
    """Tutorial 000's 150 noisy points (x in [0, 5)), full batch, manual update, lr 0.01."""
    return preset_config("linreg-minibatch", mode="batch", **overrides)

