"""The fix-the-broken-loop exercises: each option is a change to the loop, right when it reproduces the preset."""
from __future__ import annotations

from ..hand_loop import LoopResult, hand_loop, reference_params, same_params
from ..presets import preset_config
from .base import Verdict, manual_config, noisy_config

FIX_STEPS = 200

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
    return [o for o in FIXES[exercise_id]["options"] if check_fix(exercise_id, o).ok]


def check_fix(exercise_id: str, choice: str) -> Verdict:
    """Run the loop with the chosen change and compare it with the reference run."""
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


def broken_result(exercise_id: str) -> LoopResult:
    """What the broken loop does (shown before the learner picks a fix)."""
    spec = FIXES[exercise_id]
    return hand_loop(spec["config"](), FIX_STEPS, **spec["broken"])


def broken_values(exercise_id: str) -> dict[str, str]:
    """The broken loop's w, b and error, as a fix exercise's task text quotes them."""
    r = broken_result(exercise_id)
    return {"w": ", ".join(f"{v:.4g}" for v in r.w), "b": ", ".join(f"{v:.4g}" for v in r.b),
            "error": error_sentence(r.error) if r.error else ""}
