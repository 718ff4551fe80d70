"""Feature scaling against answers that do not come from gdcore: numpy lstsq on the raw data, the
closed-form Hessian of a one-feature line, and the same run's exported script."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from gdcore import scaling
from gdcore.config import Config
from gdcore.data import Dataset
from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.presets import preset_config


def _features(seed: int = 7, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Three features on different scales and offsets, y a noisy line in them (a fixed Generator)."""
    g = np.random.default_rng(seed)
    X = np.c_[g.normal(3, 2, n), g.normal(-1, 0.4, n), g.normal(0, 5, n)]
    y = X @ np.array([1.5, -4.0, 0.3]) + 2.0 + g.normal(0, 0.5, n)
    return X, y


def _lstsq(X, y) -> np.ndarray:
    A = np.c_[X, np.ones(len(X))]
    return np.linalg.lstsq(A, y, rcond=None)[0]


def test_mapping_back_is_exact_algebra_against_lstsq_on_the_raw_data():
    X, y = _features()
    s = scaling.fit(torch.from_numpy(X))
    Z = (X - s.mean.numpy()) / s.sd.numpy()
    theta_z = _lstsq(Z, y)  # the optimum on the z-scores, solved by numpy
    w, b = s.to_raw(theta_z[:-1], theta_z[-1])
    np.testing.assert_allclose(np.r_[w, b], _lstsq(X, y), rtol=1e-10, atol=1e-10)


def test_fit_uses_the_population_std_and_centres_a_constant_feature():
    X = np.c_[np.arange(10.0), np.full(10, 4.0)]
    s = scaling.fit(torch.from_numpy(X))
    assert s.mean.tolist() == [4.5, 4.0]
    assert s.sd[0].item() == pytest.approx(np.std(X[:, 0]))  # numpy's default: divided by n
    assert s.sd[1].item() == 1.0  # no spread: only centred, never divided by 0
    Z = s.transform(torch.from_numpy(X))
    assert torch.all(Z[:, 1] == 0)


@pytest.mark.parametrize("sxx_mean, spread", [(5.0, 3.0), (100.0, 0.2), (-2.0, 1.0)])
def test_condition_numbers_match_the_closed_form_of_one_feature(sxx_mean, spread):
    g = np.random.default_rng(1)
    x = g.normal(sxx_mean, spread, 300)
    raw, scaled = scaling.before_after(x.reshape(-1, 1))
    # Hessian of mean((w x + b - y)^2) is 2 [[mean x^2, mean x], [mean x, 1]]: eigenvalues in closed form
    sxx, sx = np.mean(x * x), np.mean(x)
    half_tr, root = (sxx + 1) / 2, math.sqrt(((sxx - 1) / 2) ** 2 + sx * sx)
    lam_max, lam_min = 2 * (half_tr + root), 2 * (half_tr - root)
    assert raw.lambda_max == pytest.approx(lam_max, rel=1e-12)
    assert raw.lambda_min == pytest.approx(lam_min, rel=1e-6)
    assert raw.limit == pytest.approx(2 / lam_max, rel=1e-12)
    assert raw.condition == pytest.approx(lam_max / lam_min, rel=1e-6)
    # z-scored: mean z = 0 and mean z^2 = 1, so the Hessian is 2 I: condition number 1, limit 1
    assert scaled.lambda_max == pytest.approx(2.0, abs=1e-12)
    assert scaled.lambda_min == pytest.approx(2.0, abs=1e-12)
    assert scaled.condition == pytest.approx(1.0, abs=1e-12)
    assert scaled.limit == pytest.approx(1.0, abs=1e-12)


def test_a_flat_direction_has_an_infinite_condition_number():
    raw, scaled = scaling.before_after(np.full((5, 1), 3.0))
    assert raw.lambda_min == 0.0 and raw.condition == math.inf
    assert scaled.condition == math.inf  # a constant column stays a flat direction after centring


def _dataset(X, y) -> Dataset:
    names = tuple(f"x{i + 1}" for i in range(X.shape[1]))
    return Dataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1), names)


@pytest.mark.parametrize("mode", ["none", "standard"])
def test_scaled_and_raw_runs_both_end_at_lstsq_in_raw_units(mode):
    X, y = _features()
    data = _dataset(X, y)
    Xf, yf = data.X.double().numpy(), data.y.double().numpy().reshape(-1)  # the float32 table, as trained on
    best = _lstsq(Xf, yf)
    limit = scaling.conditioning(
        Xf if mode == "none" else (Xf - Xf.mean(0)) / Xf.std(0)).limit
    steps = 20_000 if mode == "none" else 400
    config = preset_config("linreg-manual", data="custom", n=data.n, scaling=mode, lr=0.9 * limit, epochs=steps)
    run = Run(config, data)
    run.run()
    assert run.status == "ok"
    raw = scaling.raw_params(run)
    np.testing.assert_allclose(np.r_[raw["w"], raw["b"]], best, rtol=2e-4, atol=2e-4)
    if mode == "standard":  # trained on z-scores: its own w, b are the scaled line's, not the raw one's
        assert run.params() != raw
        assert run.train_data.X.mean(0).abs().max() < 1e-5 and run.data is data
    else:
        assert run.params() == raw and run.train_data is data


def test_the_stability_limit_of_a_scaled_run_is_the_scaled_datas():
    run = Run(preset_config("linreg-minibatch", scaling="standard"))
    raw = Run(preset_config("linreg-minibatch"))
    assert run.stability_limit() == pytest.approx(1.0, rel=1e-5)  # z-scored one feature: 2 / 2
    assert raw.stability_limit() == pytest.approx(scaling.conditioning(raw.data.X).limit, rel=1e-9)
    assert raw.stability_limit() < 0.2  # x in [0, 5): the raw valley is much steeper


def test_predict_takes_raw_inputs_on_a_scaled_run():
    X, y = _features()
    run = Run(preset_config("linreg-manual", data="custom", n=len(X), scaling="standard", lr=0.5, epochs=300),
              _dataset(X, y))
    run.run()
    raw = scaling.raw_params(run)
    x_new = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 10.0]])
    np.testing.assert_allclose(run.predict(x_new), x_new @ raw["w"] + raw["b"][0], rtol=1e-5, atol=1e-4)


def test_scaling_is_checked_like_every_setting():
    with pytest.raises(ConfigError, match="unknown scaling 'minmax'"):
        Config(scaling="minmax").validated()
