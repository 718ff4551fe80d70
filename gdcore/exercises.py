"""Workshop exercises, each checked by running real PyTorch through gdcore (never by matching text).

An exercise is a question with typed answer fields; `check(exercise_id, answer)` trains whatever
the answer implies and returns a `Verdict` (ok, a message key, the numbers behind it). Nothing a
learner enters is executed: answers are numbers or choices from fixed lists.

A wrong answer's verdict says what the answer did, never what the right one is: hints come first
(`feedback`), and `solution_text` gives the answer, found by training, only after
`ANSWER_AFTER_TRIES` wrong tries or when the learner asks for it.

The "fix the broken loop" exercises run `gdcore.hand_loop`, the tutorial-003 loop written out with
a switch for each classic slip; a fix is right when the repaired loop reproduces the preset's run.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import torch

from .config import Config
from .engine import Run
from .errors import GdError
from .hand_loop import LoopResult, hand_loop, reference_params, same_params
from .i18n import Message
from .lessons import optimizers as optim_lesson
from .presets import preset_config

PREDICT_TOLERANCE = 0.01  # within 1 % of the real loss (the start loss itself is ~4 % off)
LIMIT_TOLERANCE = 0.02  # the named stability limit must be within 2 %
GOLDILOCKS_TARGET = 1e-4  # loss to reach ...
GOLDILOCKS_STEPS = 100  # ... within this many full-batch steps
DIVERGE_STEPS = 200
ACCURACY_TARGET = 0.98
ACCURACY_MAX_STEPS = 5000  # keeps one check under a second or two on a shared server
RACE_STEPS = 200
FIX_STEPS = 200
MAX_LR = 100.0
ANSWER_AFTER_TRIES = 3  # wrong tries before the answer is shown without being asked for
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
class Feedback:
    hints: int  # how many hints to show
    answer: bool  # whether to show the answer


def feedback(exercise: Exercise, wrong_tries: int, hints_asked: int, answer_asked: bool) -> Feedback:
    """What a learner sees besides the verdict: a hint more after each wrong try, the answer only
    after ANSWER_AFTER_TRIES wrong tries or on request."""
    hints = min(exercise.hints, max(hints_asked, wrong_tries))
    return Feedback(hints, answer_asked or wrong_tries >= ANSWER_AFTER_TRIES)


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


# -- fix-the-loop exercises: each option is a change to the broken loop --------------------------

FIXES: dict[str, dict] = {
    # a forgotten zero_grad: gradients of every step pile up in w.grad
    "fix_zero_grad": {
        "config": lambda: manual_config(),
        "broken": dict(zero_grad=False),
        "options": {
            "zero_each_step": dict(zero_grad=True),  # p.grad.data.zero_() before backward
            "lower_lr": dict(zero_grad=False, lr_scale=0.1),
            "no_grad_update": dict(zero_grad=False, update="no_grad"),
            "sum_loss": dict(zero_grad=False, reduction="sum"),
        },
    },
    # `w -= lr * w.grad` on a leaf that requires grad: torch raises
    "fix_no_grad": {
        "config": lambda: manual_config(),
        "broken": dict(update="inplace"),
        "options": {
            "wrap_no_grad": dict(update="no_grad"),
            "rebind": dict(update="rebind"),
            "zero_first": dict(update="inplace", zero_grad=True),
            "lower_lr": dict(update="inplace", lr_scale=0.1),
        },
    },
    # loss summed over 150 points: the step is 150 times too large at lr 0.01
    "fix_sum_mean": {
        "config": lambda: noisy_config(),
        "broken": dict(reduction="sum"),
        "options": {
            "use_mean": dict(reduction="mean"),
            "divide_lr": dict(reduction="sum", lr_scale=1 / 150),
            "zero_grad_twice": dict(reduction="sum"),  # zeroing twice is zeroing once
            "more_steps": dict(reduction="sum", steps=2 * FIX_STEPS),
        },
    },
    # seed 000: `for batch_x, batch_y in dataloader:` but `h = tensorX * w + b` on the full tensors;
    # the reference is the loop as intended, not the tutorial as printed (which has the slip)
    "fix_full_tensor": {
        "reference": "intended",
        "config": lambda: preset_config("linreg-minibatch"),
        "broken": dict(full_tensors=True),
        "options": {
            "use_batch": dict(full_tensors=False),
            "no_shuffle": dict(full_tensors=True, config=dict(shuffle=False)),
            "batch_is_n": dict(full_tensors=True, config=dict(batch_size=150)),
            "lower_lr": dict(full_tensors=True, lr_scale=0.5),
        },
    },
}


def fix_correct_options(exercise_id: str) -> list[str]:
    """The options that make the loop match the reference (computed, used by tests and hints)."""
    return [o for o in FIXES[exercise_id]["options"] if check(exercise_id, {"choice": o}).ok]


def _check_fix(exercise_id: str, choice: str) -> Verdict:
    spec = FIXES[exercise_id]
    if choice not in spec["options"]:
        return Verdict(False, "pick_one")
    config = spec["config"]()
    ref = reference_params(config, FIX_STEPS)
    change = dict(spec["options"][choice])
    fixed = config.replace(**change.pop("config", {}))
    result = hand_loop(fixed, change.pop("steps", FIX_STEPS), **change)
    values = {"steps": FIX_STEPS, "w": _fmt(result.w), "b": _fmt(result.b), "w_ref": _fmt(ref["w"]),
              "b_ref": _fmt(ref["b"])}
    if result.error:
        return Verdict(False, "fix_error", {**values, "error": error_sentence(result.error)})
    if not result.finite:
        return Verdict(False, "fix_diverged", values)
    intended = spec.get("reference") == "intended"  # what the repaired loop is compared with
    if same_params(result, ref):
        return Verdict(True, "fix_ok_intended" if intended else "fix_ok", values)
    return Verdict(False, "fix_differs_intended" if intended else "fix_differs", values)


def _fmt(v: list[float]) -> str:
    return ", ".join(f"{x:.6g}" for x in v)


def error_sentence(error: str) -> str:
    """An exception's text without its closing full stop (the sentence around it adds one)."""
    return error.rstrip().rstrip(".")


# -- the other exercises ------------------------------------------------------------------------

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


def _actual_after_one_step() -> float:
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
        return _check_fix(exercise_id, str(answer.get("choice")))
    if exercise_id == "predict":
        guess = _number(answer, "loss")
        if guess is None:
            return Verdict(False, "need_number")
        actual = _actual_after_one_step()
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


EXERCISES: tuple[Exercise, ...] = (
    Exercise("predict", "predict"),
    Exercise("goldilocks", "goldilocks"),
    Exercise("diverge", "diverge"),
    Exercise("fix_zero_grad", "fix", tuple(FIXES["fix_zero_grad"]["options"])),
    Exercise("fix_no_grad", "fix", tuple(FIXES["fix_no_grad"]["options"])),
    Exercise("fix_sum_mean", "fix", tuple(FIXES["fix_sum_mean"]["options"])),
    Exercise("fix_full_tensor", "fix", tuple(FIXES["fix_full_tensor"]["options"])),
    Exercise("accuracy", "accuracy"),
    Exercise("race", "race", tuple(optim_lesson.RACE_OPTIMIZERS)),
)
BY_ID = {e.id: e for e in EXERCISES}


def broken_result(exercise_id: str) -> LoopResult:
    """What the broken loop does (shown before the learner picks a fix)."""
    spec = FIXES[exercise_id]
    return hand_loop(spec["config"](), FIX_STEPS, **spec["broken"])


def broken_values(exercise_id: str) -> dict[str, str]:
    """The broken loop's w, b and error, as a fix exercise's task text quotes them."""
    r = broken_result(exercise_id)
    return {"w": ", ".join(f"{v:.4g}" for v in r.w), "b": ", ".join(f"{v:.4g}" for v in r.b),
            "error": error_sentence(r.error) if r.error else ""}


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
        return "predict", (("actual", f"{_actual_after_one_step():.6g}"), ("first_order", f"{first_order:.6g}"),
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
    return {"predict": _actual_after_one_step(), "diverge": limit, "goldilocks": limit}
