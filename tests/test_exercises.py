"""Each exercise's checker accepts right answers and refuses wrong ones, judged by training."""
import re

import pytest
import torch

from gdcore import Run, preset_config
from gdcore import exercises as ex
from gdcore.hand_loop import hand_loop, reference_params, same_params
from gdcore.i18n import strings, translator


def test_the_correct_tutorial_loop_is_the_reference_run_bit_for_bit():
    """hand_loop with no slip is seed 003's loop: it must equal gdcore's Run of the preset exactly."""
    config = ex.manual_config()
    loop = hand_loop(config, 50)
    run = Run(config)
    run.run(50)
    assert loop.w == run.params()["w"] and loop.b == run.params()["b"]
    assert loop.losses == pytest.approx(run.losses().tolist(), rel=0, abs=0)


def test_minibatch_loop_uses_the_runs_own_batches():
    config = preset_config("linreg-minibatch")
    loop = hand_loop(config, 30)
    run = Run(config)
    run.run(30)
    assert loop.w == pytest.approx(run.params()["w"], rel=1e-6) and loop.b == pytest.approx(run.params()["b"], rel=1e-6)


@pytest.mark.parametrize("exercise_id, right", [
    ("fix_zero_grad", {"zero_each_step"}),
    ("fix_no_grad", {"wrap_no_grad"}),
    ("fix_sum_mean", {"use_mean", "divide_lr"}),
    ("fix_full_tensor", {"use_batch"}),
])
def test_fix_exercises_accept_exactly_the_fixes_that_repair_the_loop(exercise_id, right):
    assert set(ex.fix_correct_options(exercise_id)) == right
    broken = ex.broken_result(exercise_id)
    assert not same_params(broken, reference_params(ex.FIXES[exercise_id]["config"](), ex.FIX_STEPS))


def test_the_no_grad_slip_is_pytorchs_own_error():
    assert "leaf Variable that requires grad" in ex.broken_result("fix_no_grad").error
    assert ex.check("fix_no_grad", {"choice": "rebind"}).key == "fix_error"


def test_predict_accepts_the_real_loss_and_refuses_the_start_loss():
    s = ex.predict_setup()
    run = Run(ex.manual_config())
    run.run(2)
    actual = float(run.losses()[1])
    assert ex.check("predict", {"loss": actual * 1.005}).ok
    v = ex.check("predict", {"loss": s["loss"]})  # "nothing changes" is not a prediction
    assert not v.ok and v.key == "predict_high"
    assert ex.check("predict", {"loss": "abc"}).key == "need_number"
    # the first-order estimate is a good prediction on this gentle step
    assert ex.check("predict", {"loss": s["loss"] - s["lr"] * (s["grad_w"] ** 2 + s["grad_b"] ** 2)}).ok


def test_goldilocks_too_small_just_right_too_large():
    assert ex.check("goldilocks", {"lr": 0.01}).key == "gold_slow"
    assert ex.check("goldilocks", {"lr": 0.6}).ok
    assert ex.check("goldilocks", {"lr": 0.9}).key in ("gold_growing", "gold_diverged")
    assert ex.check("goldilocks", {"lr": 5}).key == "gold_diverged"
    assert ex.check("goldilocks", {"lr": -1}).key == "need_lr"


def test_diverge_needs_a_diverging_lr_and_the_true_limit():
    limit = Run(ex.manual_config()).stability_limit()
    assert ex.check("diverge", {"lr": 5, "limit": limit * 1.01}).ok
    assert ex.check("diverge", {"lr": 0.9, "limit": limit}).ok  # grows without reaching inf: diverging
    assert ex.check("diverge", {"lr": 0.5, "limit": limit}).key == "div_stable"
    assert ex.check("diverge", {"lr": 5, "limit": limit * 1.2}).key == "div_wrong_limit"


def test_accuracy_is_computed_from_the_trained_model():
    ok = ex.check("accuracy", {"mode": "batch", "loss": "bce_logits", "lr": 1.0, "epochs": 300, "batch_size": 1})
    assert ok.ok
    low = ex.check("accuracy", {"mode": "stochastic", "loss": "bce_manual", "lr": 0.001, "epochs": 1,
                                "batch_size": 1})
    assert not low.ok and low.key == "acc_low"
    long = ex.check("accuracy", {"mode": "stochastic", "loss": "bce_manual", "lr": 0.001, "epochs": 100,
                                 "batch_size": 1})
    assert long.key == "acc_too_long"


def test_accuracy_of_matches_a_direct_computation():
    run = Run(preset_config("logreg-manual", mode="batch", lr=1.0, epochs=50, loss="bce_logits"))
    run.run()
    p = run.params()
    z = run.data.X @ torch.tensor(p["w"]).reshape(2, 1) + p["b"][0]
    assert ex.accuracy_of(run) == pytest.approx(((z > 0).float() == run.data.y.reshape(-1, 1)).float().mean().item())


def test_race_winner_and_reason_are_judged_by_the_race():
    finals = ex.race_results()
    best = min(finals, key=finals.get)
    right_reason = next(r for r, who in ex.REASONS.items() if who == best)
    assert ex.check("race", {"winner": best, "reason": right_reason}).ok
    other = next(o for o in finals if o != best)
    assert ex.check("race", {"winner": other, "reason": right_reason}).key == "race_wrong_winner"
    assert ex.check("race", {"winner": best, "reason": "always_sgd"}).key == "race_wrong_reason"
    assert ex.check("race", {}).key == "pick_both"


def test_every_exercise_has_its_strings_in_both_languages():
    for lang in ("en", "zh"):
        s = strings(lang)
        for e in ex.EXERCISES:
            for part in ("title", "task") + tuple(f"hint{i}" for i in range(1, e.hints + 1)):
                assert f"exercises.{e.id}.{part}" in s, (lang, e.id, part)
            if e.kind == "fix":
                assert all(f"exercises.{e.id}.options.{o}" in s for o in e.options)
    assert len(ex.EXERCISES) >= 8


# -- hints first, the answer later ----------------------------------------------------------------

def _secrets(exercise_id: str) -> list[str]:
    """What gives an exercise's answer away, found independently of the verdicts."""
    if exercise_id in ex.FIXES:
        return [translator(lang)(f"exercises.{exercise_id}.options.{o}") for o in ex.fix_correct_options(exercise_id)
                for lang in ("en", "zh")]
    if exercise_id == "predict":
        run = Run(ex.manual_config())
        run.run(2)
        s = ex.predict_setup()
        first_order = s["loss"] - s["lr"] * (s["grad_w"] ** 2 + s["grad_b"] ** 2)
        return [f"{float(run.losses()[1]):.6g}", f"{first_order:.6g}"]
    if exercise_id in ("goldilocks", "diverge"):  # the stability limit is exercise 3's answer
        limit = Run(ex.manual_config()).stability_limit()
        return [f"{limit:.4g}", f"{limit:.3g}"]
    if exercise_id == "race":
        finals = ex.race_results()
        best = min(finals, key=finals.get)
        return [ex.optim_lesson.LABELS[best], f"{finals[best]:.3g}"]
    return []  # accuracy: a verdict reports the learner's own run only


WRONG = [  # (exercise, a wrong answer a learner might give first)
    ("predict", {"loss": 0.5}),
    ("predict", {"loss": 0.99385}),
    ("goldilocks", {"lr": 0.01}),
    ("goldilocks", {"lr": 0.9}),
    ("goldilocks", {"lr": 5}),
    ("diverge", {"lr": 5, "limit": 1.0}),
    ("diverge", {"lr": 0.5, "limit": 1.0}),
    ("fix_zero_grad", {"choice": "lower_lr"}),
    ("fix_no_grad", {"choice": "rebind"}),
    ("fix_sum_mean", {"choice": "more_steps"}),
    ("fix_full_tensor", {"choice": "no_shuffle"}),
    ("accuracy", {"mode": "stochastic", "loss": "bce_manual", "lr": 0.001, "epochs": 1, "batch_size": 1}),
    ("race", {"winner": "sgd", "reason": "velocity"}),
    ("race", {"winner": "adam", "reason": "per_parameter"}),
]


@pytest.mark.parametrize("exercise_id, answer", WRONG, ids=[f"{e}-{i}" for i, (e, _) in enumerate(WRONG)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wrong_answer_never_gives_the_solution_away(exercise_id, answer, lang):
    T = translator(lang)
    v = ex.check(exercise_id, answer)
    assert not v.ok and v.is_try
    said = T(f"exercises.verdict.{v.key}", **v.values)
    for secret in _secrets(exercise_id):
        assert secret not in said, (said, secret)


def test_the_shown_answer_passes_its_own_check():
    """Each solution gdcore shows is right by the exercise's own judge (it is found by training)."""
    for e in ex.EXERCISES:
        key, items = ex._solution(e.id)
        s = dict(items)
        answer = {  # s=s binds this exercise's solution, not whatever the loop holds when called
            "predict": lambda s=s: {"loss": s.get("actual")},
            "goldilocks": lambda s=s: {"lr": s.get("lr")},
            "diverge": lambda s=s: {"lr": s.get("lr"), "limit": s.get("limit")},
            "accuracy": lambda s=s: {"mode": "batch", "loss": "bce_logits", "lr": s.get("lr"),
                                     "epochs": s.get("epochs"), "batch_size": 1},
            "race": lambda s=s: {"winner": next(k for k, lab in ex.optim_lesson.LABELS.items()
                                                if lab == s.get("best")),
                                 "reason": s.get("reason")},
        }
        if key == "fix":
            assert s["options"] and all(ex.check(e.id, {"choice": o}).ok for o in s["options"])
        else:
            assert ex.check(e.id, answer[key]()).ok, e.id
        for lang in ("en", "zh"):
            assert translator(lang)(ex.solution_text(e.id))


def test_hints_come_first_and_the_answer_after_several_tries_or_on_request():
    e = ex.BY_ID["predict"]
    assert ex.feedback(e, 0, 0, False) == ex.Feedback(0, False)
    assert ex.feedback(e, 1, 0, False) == ex.Feedback(1, False)  # a wrong try brings a hint, not the answer
    assert ex.feedback(e, 2, 0, False) == ex.Feedback(2, False)
    assert ex.feedback(e, ex.ANSWER_AFTER_TRIES, 0, False).answer
    assert ex.ANSWER_AFTER_TRIES > 1
    assert ex.feedback(e, 0, 0, True) == ex.Feedback(0, True)  # asked for
    assert ex.feedback(e, 0, 5, False) == ex.Feedback(e.hints, False)
    assert not ex.check("predict", {"loss": "abc"}).is_try  # an empty field is not a try


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_exercise_texts_have_no_doubled_full_stop(lang):
    T = translator(lang)
    doubled = re.compile(r"(?<!\.)\.\.(?!\.)|。。|\.。")
    for e in ex.EXERCISES:
        if e.kind == "fix":
            assert not doubled.search(T(f"exercises.{e.id}.task", **ex.broken_values(e.id))), e.id
    v = ex.check("fix_no_grad", {"choice": "zero_first"})
    assert v.key == "fix_error" and not doubled.search(T("exercises.verdict.fix_error", **v.values))


@pytest.mark.parametrize("choice", ["use_batch", "no_shuffle"])
def test_the_full_tensor_fix_is_compared_with_the_loop_as_intended_not_the_tutorial(choice):
    """Tutorial 000 as printed has the slip; the repaired loop is the loop as intended."""
    v = ex.check("fix_full_tensor", {"choice": choice})
    assert not translator("en")(f"exercises.verdict.{v.key}", **v.values).lower().count("tutorial")
    assert "教程" not in translator("zh")(f"exercises.verdict.{v.key}", **v.values)
    assert "as intended" in translator("en")(f"exercises.verdict.{v.key}", **v.values)
