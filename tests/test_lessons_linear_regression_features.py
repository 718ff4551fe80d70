"""The multi-feature view's numbers: the loss over two chosen parameters against a brute-force loss,
and the parameters against numpy lstsq."""
from __future__ import annotations

import numpy as np
import pytest

from gdcore.data import load_csv
from gdcore.engine import Run
from gdcore.lessons import linear_regression_features as fs
from gdcore.presets import preset_config


def _brute_loss(X, y, theta):
    return float(np.mean((X @ theta[:-1] + theta[-1] - y) ** 2))


@pytest.mark.parametrize("i, j", [(0, 1), (2, 3), (3, 0), (1, 2)])
def test_six_numbers_of_a_slice_against_brute_force(i, j):
    g = np.random.default_rng(11)
    X = np.c_[g.normal(2, 3, 80), g.normal(-1, 0.5, 80), g.uniform(0, 10, 80)]
    y = X @ [0.7, -2.0, 0.4] + 1.0 + g.normal(0, 0.3, 80)
    at = np.array([0.1, 0.2, -0.3, 0.5])  # (w1, w2, w3, b): far from the optimum
    bowl = fs.slice_bowl(X, y, at, i, j)
    for a, c in [(0.0, 0.0), (1.5, -2.0), (-3.0, 4.0), (bowl.w_star, bowl.b_star)]:
        theta = at.copy()
        theta[i], theta[j] = a, c
        assert bowl.at(a, c) == pytest.approx(_brute_loss(X, y, theta), rel=1e-10)
    # its lowest point is the lowest over those two parameters: no neighbour is lower
    for da, dc in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3)]:
        theta = at.copy()
        theta[i], theta[j] = bowl.w_star + da, bowl.b_star + dc
        assert _brute_loss(X, y, theta) > bowl.loss_star


def test_a_slice_through_the_optimum_has_its_lowest_point_there():
    g = np.random.default_rng(3)
    X = g.normal(0, 1, (50, 2))
    y = X @ [1.0, 2.0] + 3.0 + g.normal(0, 0.1, 50)
    best = np.linalg.lstsq(np.c_[X, np.ones(50)], y, rcond=None)[0]
    bowl = fs.slice_bowl(X, y, best, 0, 2)
    assert (bowl.w_star, bowl.b_star) == pytest.approx((best[0], best[2]), abs=1e-10)
    assert bowl.sbb == 1.0 and bowl.sx == pytest.approx(X[:, 0].mean())  # (w1, b): the one-feature form


def _fixture_csv(seed: int = 5, n: int = 300) -> bytes:
    """Four features on very different scales, from a fixed Generator, written as a CSV."""
    g = np.random.default_rng(seed)
    X = np.c_[g.normal(40, 12, n), g.normal(0.2, 0.05, n), g.normal(-5, 3, n), g.uniform(0, 1, n)]
    y = X @ [0.05, 12.0, -0.8, 2.5] + 7.0 + g.normal(0, 0.2, n)
    lines = ["age,ratio,temp,share,target"] + [",".join(f"{v:.6f}" for v in row) for row in np.c_[X, y]]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("scaling, steps", [("standard", 300)])
def test_a_multi_feature_upload_trains_to_lstsq(scaling, steps):
    data = load_csv(_fixture_csv())
    Xf, yf = data.X.double().numpy(), data.y.double().numpy().reshape(-1)
    best = np.linalg.lstsq(np.c_[Xf, np.ones(len(Xf))], yf, rcond=None)[0]
    run = Run(preset_config("linreg-manual", data="custom", n=data.n, scaling=scaling, lr=0.5, epochs=steps), data)
    run.run()
    c = fs.compare(run)
    np.testing.assert_allclose(c.best, best, rtol=1e-9, atol=1e-9)  # the page's lstsq is numpy's
    np.testing.assert_allclose(c.now, best, rtol=1e-4, atol=1e-4)
    assert c.excess < 1e-6 * c.optimum.mse
    frame = fs.table(c, fs.labels(data.feature_names), scaled=True)
    assert list(frame["parameter"]) == ["w1 (age)", "w2 (ratio)", "w3 (temp)", "w4 (share)", "b"]
    np.testing.assert_allclose(frame["least_squares"], best, rtol=1e-9)


def test_the_path_over_two_parameters_reads_the_runs_records():
    data = load_csv(_fixture_csv(n=40))
    run = Run(preset_config("linreg-manual", data="custom", n=data.n, scaling="standard", lr=0.3, epochs=5), data)
    run.run()
    start = np.r_[run.w0.reshape(-1).numpy(), run.b0.reshape(-1).numpy()]
    steps, a, c = fs.slice_path(run.records(), start, 4, 1, 4)
    assert steps.tolist() == [0, 1, 2, 3, 4, 5]
    assert a[0] == pytest.approx(start[1]) and c[0] == pytest.approx(start[4])
    now = run.params()
    assert (a[-1], c[-1]) == pytest.approx((now["w"][1], now["b"][0]))
