"""What a learner sees besides the verdict: hints, and the answer (found by training) after enough wrong tries."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from ..engine import Run
from ..i18n import Message
from ..lessons import optimizers as optim_lesson
from .base import Exercise, manual_config
from .checks import (
    ACCURACY_MAX_STEPS,
    GOLDILOCKS_STEPS,
    RACE_STEPS,
    REASONS,
    actual_after_one_step,
    check,
    predict_setup,
    race_results,
)
from .fixes import FIXES, fix_correct_options

ANSWER_AFTER_TRIES = 3  # wrong tries before the answer is shown without being asked for


@dataclass(frozen=True)
class Feedback:
    hints: int  # how many hints to show
    answer: bool  # whether to show the answer


def feedback(exercise: Exercise, wrong_tries: int, hints_asked: int, answer_asked: bool) -> Feedback:
    """What a learner sees besides the verdict: a hint more after each wrong try, the answer only
    after ANSWER_AFTER_TRIES wrong tries or on request."""
    hints = min(exercise.hints, max(hints_asked, wrong_tries))
    return Feedback(hints, answer_asked or wrong_tries >= ANSWER_AFTER_TRIES)


# -- the answers, found by training (shown after several wrong tries or on request) --------------

def _lr_2sig(x: float) -> float:
    return float(f"{x:.2g}")


@functools.lru_cache(maxsize=16)  # fixed per exercise for everyone: immutable values, computed once per process
def _solution(exercise_id: str) -> tuple[str, tuple[tuple[str, object], ...]]:
    """(locale key under exercises.solution.*, its values) for one exercise."""
    if exercise_id in FIXES:
        return "fix", (("options", tuple(fix_correct_options(exercise_id))),)
    if exercise_id == "predict":
        s = predict_setup()
        first_order = s["loss"] - s["lr"] * (s["grad_w"] ** 2 + s["grad_b"] ** 2)
        return "predict", (("actual", f"{actual_after_one_step():.6g}"), ("first_order", f"{first_order:.6g}"),
                           ("loss0", f"{s['loss']:.6g}"))
    limit = Run(manual_config()).stability_limit()
    if exercise_id == "goldilocks":
        for share in (0.7, 0.8, 0.6, 0.9, 0.5, 0.4):  # a little below the limit first
            lr = _lr_2sig(share * limit)
            v = check("goldilocks", {"lr": lr})
            if v.ok:
                return "goldilocks", (("lr", v.values["lr"]), ("loss", v.values["loss"]), ("steps", GOLDILOCKS_STEPS),
                                      ("target", v.values["target"]))
        raise RuntimeError("no learning rate below the stability limit reaches the goldilocks target")
    if exercise_id == "diverge":
        for factor in (1.5, 2, 3, 5):  # one that reaches inf or nan, so the step can be named
            lr = _lr_2sig(factor * limit)
            v = check("diverge", {"lr": lr, "limit": limit})
            if v.ok and v.values["at"]:
                return "diverge", (("lr", f"{lr:g}"), ("limit", f"{limit:.4g}"), ("at", v.values["at"]))
        raise RuntimeError("no learning rate above the stability limit diverges")
    if exercise_id == "accuracy":
        for epochs in (100, 300, 1000, ACCURACY_MAX_STEPS):
            for lr in (1.0, 3.0, 10.0):
                answer = {"mode": "batch", "loss": "bce_logits", "lr": lr, "epochs": epochs, "batch_size": 1}
                v = check("accuracy", answer)
                if v.ok:
                    return "accuracy", (("lr", f"{lr:g}"), ("epochs", epochs), ("acc", v.values["acc"]))
        raise RuntimeError("no full-batch setting reaches the accuracy target")
    if exercise_id == "race":
        finals = race_results()
        best = min(finals, key=finals.get)
        reason = next(r for r, who in REASONS.items() if who == best)
        return "race", (("best", optim_lesson.LABELS[best]), ("loss", f"{finals[best]:.3g}"), ("steps", RACE_STEPS),
                        ("reason", reason))
    raise KeyError(exercise_id)


def solution_text(exercise_id: str) -> Message:
    """The answer to one exercise, with the numbers that show it is right."""
    key, items = _solution(exercise_id)
    values = dict(items)
    p = f"exercises.{exercise_id}"
    if key == "fix":
        parts = []
        for o in values["options"]:
            parts += [Message.of("exercises.solution.fix_or")] if parts else []
            parts.append(Message.of(f"{p}.options.{o}"))
        values = {"fix": parts}
    elif key == "race":
        values["reason"] = Message.of(f"{p}.reasons.{values['reason']}")
    return Message.of(f"exercises.solution.{key}", **values)


@functools.lru_cache(maxsize=1)
def reference_answers() -> dict[str, float]:
    """The true numbers the class board plots the room's answers against (found by training)."""
    limit = Run(manual_config()).stability_limit()
    return {"predict": actual_after_one_step(), "diverge": limit, "goldilocks": limit}
