"""Run.series reads the whole run's columns as arrays: the same numbers records() gives, dict by dict."""
import numpy as np
import pytest

from gdcore.engine import Run
from gdcore.lessons.linear_regression import path_arrays, run_path
from gdcore.presets import preset_config


@pytest.mark.parametrize("steps", [0, 1, 7, 6000])  # 6000: older steps thinned, the newest 4096 kept in full
def test_series_is_records_column_by_column(steps):
    run = Run(preset_config("linreg-manual", epochs=max(steps, 1)))
    run.run(steps)
    recs = run.records()
    assert len(recs) <= steps and (len(recs) < steps) == (steps > 4096)
    got_steps, w, grad_b = run.series("w", "grad_b")
    assert got_steps.tolist() == [r["step"] for r in recs]
    assert w.dtype == np.float64 and w.tolist() == [r["w"] for r in recs]
    assert grad_b.tolist() == [r["grad_b"] for r in recs]


def test_run_path_is_path_arrays_of_the_records():
    run = Run(preset_config("linreg-minibatch"))
    run.run(40)
    w0, b0 = float(run.w0.reshape(-1)[0]), float(run.b0.reshape(-1)[0])
    for ours, theirs in zip(run_path(run, w0, b0), path_arrays(run.records(), w0, b0)):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
