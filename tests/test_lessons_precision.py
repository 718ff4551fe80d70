"""The linear-regression page's pace sentence gives way to rounding: gdcore/lessons/precision.py."""
from __future__ import annotations

import numpy as np

from gdcore.i18n import english
from gdcore.lessons import linear_regression as lesson_math
from gdcore.lessons.precision import RESOLVED_ULPS, rounding_note
from gdcore.reference import Optimum
from gdcore.stall import Stall

OPT = Optimum((10.233,), -117.773367, 3975.9)
ULP_B = 2.0 ** -17  # float32 spacing in [64, 128)


def test_a_stall_replaces_the_pace():
    s = Stall(128_013, "b", -117.7, 0.003, 3.8e-6, ULP_B, "float32", OPT.b)
    note = rounding_note(s, {"w": [10.2], "b": [-117.7]}, OPT, "float32")
    assert note.key == "linear_regression.lr.sentence.pace_stalled" and "128,013" in english(note)


def test_within_a_few_ulps_of_the_optimum_rounding_rules():
    near = {"w": [float(np.float32(10.233))], "b": [OPT.b + (RESOLVED_ULPS - 1) * ULP_B]}
    note = rounding_note(None, near, OPT, "float32")
    assert note is not None and note.key == "linear_regression.lr.sentence.pace_resolved"
    far = {"w": [10.233], "b": [OPT.b + 100 * ULP_B]}
    assert rounding_note(None, far, OPT, "float32") is None  # still 100 float32 steps to go
    assert rounding_note(None, near, OPT, "float64") is None  # float64 resolves far finer


def test_lr_sentence_keeps_its_head_and_drops_the_promise():
    f = lesson_math.Facts(OPT, lambda_max=1474.0, lambda_min=0.047, limit=2 / 1474.0)
    lr = 0.9 * f.limit
    plain = english(lesson_math.lr_sentence(lr, f))
    assert "10× closer" in plain
    s = Stall(5, "b", -117.7, 0.003, 3.8e-6, ULP_B, "float32", OPT.b)
    ruled = english(lesson_math.lr_sentence(lr, f, rounding_note(s, {"w": [1.0], "b": [1.0]}, OPT, "float32")))
    assert "10× closer" not in ruled.split("Rounding")[0] and "Rounding sets the pace" in ruled
    assert ruled.startswith(plain.split(" The slowest")[0])
