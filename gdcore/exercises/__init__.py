"""Workshop exercises, each checked by running real PyTorch through gdcore (never by matching text).

An exercise is a question with typed answer fields; `check(exercise_id, answer)` trains whatever
the answer implies and returns a `Verdict` (ok, a message key, the numbers behind it). Nothing a
learner enters is executed: answers are numbers or choices from fixed lists.

A wrong answer's verdict says what the answer did, never what the right one is: hints come first
(`feedback`), and `solution_text` gives the answer, found by training, only after
`ANSWER_AFTER_TRIES` wrong tries or when the learner asks for it.

The "fix the broken loop" exercises run `gdcore.hand_loop`, the tutorial-003 loop written out with
a switch for each classic slip; a fix is right when the repaired loop reproduces the preset's run.

The parts: base.py (the Exercise and Verdict records, the tutorial configs), fixes.py (the fix-the-loop
exercises), checks.py (the other checkers and the `check` every answer goes through), answers.py (the
answer policy and the solutions); this module holds the catalogue and the names pages and tests use.
"""
from __future__ import annotations

from ..lessons import optimizers as optim_lesson
from .answers import ANSWER_AFTER_TRIES, Feedback, _solution, feedback, reference_answers, solution_text
from .base import INPUT_KEYS, Exercise, Verdict, manual_config, noisy_config
from .checks import (
    ACCURACY_LOSSES,
    ACCURACY_MAX_STEPS,
    ACCURACY_MODES,
    ACCURACY_TARGET,
    DIVERGE_STEPS,
    GOLDILOCKS_STEPS,
    GOLDILOCKS_TARGET,
    LIMIT_TOLERANCE,
    MAX_LR,
    PREDICT_TOLERANCE,
    RACE_STEPS,
    REASONS,
    accuracy_config,
    accuracy_of,
    check,
    predict_setup,
    race_results,
)
from .fixes import FIX_STEPS, FIXES, broken_result, broken_values, error_sentence, fix_correct_options

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

__all__ = [
    "ACCURACY_LOSSES", "ACCURACY_MAX_STEPS", "ACCURACY_MODES", "ACCURACY_TARGET", "ANSWER_AFTER_TRIES", "BY_ID",
    "DIVERGE_STEPS", "EXERCISES", "Exercise", "FIX_STEPS", "FIXES", "Feedback", "GOLDILOCKS_STEPS", "GOLDILOCKS_TARGET",
    "INPUT_KEYS", "LIMIT_TOLERANCE", "MAX_LR", "PREDICT_TOLERANCE", "RACE_STEPS", "REASONS", "Verdict", "_solution",
    "accuracy_config", "accuracy_of", "broken_result", "broken_values", "check", "error_sentence", "feedback",
    "fix_correct_options", "manual_config", "noisy_config", "optim_lesson", "predict_setup", "race_results",
    "reference_answers", "solution_text",
]
