"""The exercises' checkers: train what an answer implies and judge it (the fix exercises' own are in fixes.py)."""
from __future__ import annotations

import functools
import math

import torch

from .. import limits
from ..config import Config
from ..engine import Run
from ..errors import GdError
from ..lessons import optimizers as optim_lesson
from ..presets import preset_config
from .base import Verdict, manual_config
from .fixes import FIXES, check_fix

PREDICT_TOLERANCE = 0.01  # within 1 % of the real loss (the start loss itself is ~4 % off)
LIMIT_TOLERANCE = 0.02  # the named stability limit must be within 2 %
GOLDILOCKS_TARGET = 1e-4  # loss to reach ...
GOLDILOCKS_STEPS = 100  # ... within this many full-batch steps
DIVERGE_STEPS = 200
ACCURACY_TARGET = 0.98
ACCURACY_MAX_STEPS = limits.EXERCISE_STEPS  # keeps one check under a second or two on a shared server
RACE_STEPS = 200
MAX_LR = limits.EXERCISE_LR


def predict_setup() -> dict:
    """What the learner sees before predicting: tutorial 003's start, its loss and gradient, lr."""
    run = Run(manual_config())
    w, b = float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0])
    X, y = run.X, run.y
    wt, bt = torch.tensor([w], requires_grad=True), torch.tensor([b], requires_grad=True)
    loss = ((X * wt + bt - y) ** 2).mean()
    loss.backward()
    return {"w": w, "b": b, "loss": loss.item(), "grad_w": wt.grad.item(), "grad_b": bt.grad.item(),
            "lr": run.config.lr}


def actual_after_one_step() -> float:
    """The loss at the parameters after one update (what the second step would print)."""
    run = Run(manual_config())
    run.run(2)
    return float(run.losses()[1])


def _growing(run: Run) -> bool:
    """The loss ends above where it started: the steps overshoot more each time (a divergence in progress)."""
    L = run.losses()
    return len(L) > 1 and float(L[-1]) > float(L[0])


def _number(answer: dict, name: str) -> float | None:
    try:
        v = float(answer.get(name))
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def check(exercise_id: str, answer: dict) -> Verdict:
    """Train what the answer implies and judge it. Unknown ids raise KeyError; bad answers get a verdict."""
    if exercise_id in FIXES:
        return check_fix(exercise_id, str(answer.get("choice")))
    if exercise_id == "predict":
        guess = _number(answer, "loss")
        if guess is None:
            return Verdict(False, "need_number")
        actual = actual_after_one_step()
        s = predict_setup()
        first_order = s["loss"] - s["lr"] * (s["grad_w"] ** 2 + s["grad_b"] ** 2)
        values = {"guess": f"{guess:.6g}", "actual": f"{actual:.6g}", "first_order": f"{first_order:.6g}",
                  "loss0": f"{s['loss']:.6g}"}
        ok = abs(guess - actual) <= PREDICT_TOLERANCE * abs(actual)
        if not ok:  # the direction only: the value itself is the answer
            values = {"guess": values["guess"], "tolerance": f"{PREDICT_TOLERANCE:.0%}"}
        return Verdict(ok, "predict_ok" if ok else ("predict_high" if guess > actual else "predict_low"), values)
    if exercise_id == "goldilocks":
        lr = _number(answer, "lr")
        if lr is None or not 0 < lr <= MAX_LR:
            return Verdict(False, "need_lr", {"max": MAX_LR})
        run = Run(manual_config(lr=lr, epochs=GOLDILOCKS_STEPS))
        run.run()
        final = float(run.losses()[-1]) if len(run.losses()) else float("nan")
        # no stability limit here: naming it is exercise 3's answer
        values = {"lr": f"{lr:g}", "loss": f"{final:.3g}", "target": f"{GOLDILOCKS_TARGET:g}",
                  "steps": GOLDILOCKS_STEPS}
        if run.status == "diverged":
            return Verdict(False, "gold_diverged", {**values, "at": run.divergence.step})
        if _growing(run):
            return Verdict(False, "gold_growing", values)
        if final < GOLDILOCKS_TARGET:
            return Verdict(True, "gold_ok", values)
        return Verdict(False, "gold_slow", values)
    if exercise_id == "diverge":
        lr, named = _number(answer, "lr"), _number(answer, "limit")
        if lr is None or named is None or not 0 < lr <= MAX_LR:
            return Verdict(False, "need_lr_and_limit", {"max": MAX_LR})
        run = Run(manual_config(lr=lr, epochs=DIVERGE_STEPS))
        run.run()
        limit = run.stability_limit()
        values = {"lr": f"{lr:g}", "limit": f"{limit:.4g}", "named": f"{named:g}", "steps": DIVERGE_STEPS}
        if run.status == "diverged":
            values["at"] = run.divergence.step
        elif _growing(run):
            values["at"] = 0
        else:
            return Verdict(False, "div_stable", values)
        values["final"] = f"{float(run.losses()[-1]):.3g}"
        if abs(named - limit) > LIMIT_TOLERANCE * limit:
            return Verdict(False, "div_wrong_limit" if values["at"] else "div_wrong_limit_growing", values)
        return Verdict(True, "div_ok" if values["at"] else "div_ok_growing", values)
    if exercise_id == "accuracy":
        return _check_accuracy(answer)
    if exercise_id == "race":
        return _check_race(answer)
    raise KeyError(exercise_id)


ACCURACY_MODES = ("batch", "minibatch", "stochastic")
ACCURACY_LOSSES = ("bce_manual", "bce_logits")


def accuracy_config(answer: dict) -> Config:
    lr, epochs, bs = _number(answer, "lr"), _number(answer, "epochs"), _number(answer, "batch_size")
    mode, loss = answer.get("mode"), answer.get("loss", "bce_manual")
    if lr is None or epochs is None or mode not in ACCURACY_MODES or loss not in ACCURACY_LOSSES:
        raise GdError(key="exercise_accuracy_settings")
    c = preset_config("logreg-manual", mode=mode, lr=lr, epochs=int(epochs), loss=loss,
                      batch_size=int(bs or 1), shuffle=mode == "minibatch",
                      loader="dataloader" if mode == "minibatch" else "index")
    return c


def accuracy_of(run: Run) -> float:
    """Training accuracy of a logistic run: share of samples with (X·w + b > 0) == label."""
    p = run.params()
    w = torch.tensor(p["w"]).reshape(-1, 1)
    z = run.data.X.reshape(run.data.n, -1) @ w + p["b"][0]
    return float(((z > 0).float().reshape(-1) == run.data.y.reshape(-1)).float().mean())


def _check_accuracy(answer: dict) -> Verdict:
    try:
        config = accuracy_config(answer)
        run = Run(config)
    except GdError as exc:
        return Verdict(False, "bad_setting", {"error": str(exc)})
    if run.total_steps > ACCURACY_MAX_STEPS:
        return Verdict(False, "acc_too_long", {"steps": run.total_steps, "max": ACCURACY_MAX_STEPS})
    run.run()
    acc = accuracy_of(run)
    values = {"acc": f"{acc:.1%}", "target": f"{ACCURACY_TARGET:.0%}", "steps": run.step_count}
    if run.status == "diverged":
        return Verdict(False, "acc_diverged", {**values, "message": run.message})
    return Verdict(acc >= ACCURACY_TARGET, "acc_ok" if acc >= ACCURACY_TARGET else "acc_low", values)


# which reason explains which winner (reason ids; the sentences are in the locale files)
REASONS = {
    "velocity": "momentum",  # builds up speed along the long, shallow valley floor
    "per_parameter": "adam",  # scales each parameter's step by its own gradient history
    "shrinking": None,  # "AdaGrad's steps grow over time": false, they only shrink
    "always_sgd": None,  # "plain SGD always wins on a convex loss": false
}


def race_results(steps: int = RACE_STEPS) -> dict[str, float]:
    """Final loss of each optimizer in the optimizers page's default race (linreg-module data)."""
    return dict(_race_finals(steps))


@functools.lru_cache(maxsize=4)  # one fixed race for everyone: immutable floats, computed once per process
def _race_finals(steps: int) -> tuple[tuple[str, float], ...]:
    runs = optim_lesson.run_race(preset_config("linreg-module"), optim_lesson.race_settings(), steps=steps)
    return tuple((name, float(run.losses()[-1])) for name, run in runs.items())


def _check_race(answer: dict) -> Verdict:
    winner, reason = answer.get("winner"), answer.get("reason")
    finals = race_results()
    if winner not in finals or reason not in REASONS:
        return Verdict(False, "pick_both")
    best = min(finals, key=finals.get)
    values = {"best": optim_lesson.LABELS[best], "loss": f"{finals[best]:.3g}", "steps": RACE_STEPS,
              "chosen": optim_lesson.LABELS.get(winner, winner), "chosen_loss": f"{finals[winner]:.3g}"}
    if winner != best:  # how the chosen one did, not who won
        return Verdict(False, "race_wrong_winner", {k: values[k] for k in ("chosen", "chosen_loss", "steps")})
    if REASONS[reason] != best:
        return Verdict(False, "race_wrong_reason", values)
    return Verdict(True, "race_ok", values)
