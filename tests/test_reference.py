"""gdcore.reference: closed forms against numpy, torch autograd and plain gradient descent."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gdcore import reference
from gdcore.data import linear_1d, logistic_rule, synthetic_data, uniform_1d
from gdcore.engine import init
from gdcore.presets import preset_config


def test_least_squares_matches_polyfit():
    ds = linear_1d(seed=100)
    x, y = ds.X.double().numpy().reshape(-1), ds.y.double().numpy().reshape(-1)
    slope, intercept = np.polyfit(x, y, 1)
    opt = reference.least_squares(ds.X, ds.y)
    assert opt.w[0] == pytest.approx(slope, rel=1e-10) and opt.b == pytest.approx(intercept, rel=1e-10)
    assert opt.mse == pytest.approx(np.mean((slope * x + intercept - y) ** 2), rel=1e-10)
    assert opt.loss("half_squared") == pytest.approx(opt.mse / 2) and opt.loss() == opt.mse


def test_least_squares_several_features_solves_the_normal_equations():
    ds = synthetic_data(seed=2, n=300)
    X, y = ds.X.double().numpy(), ds.y.double().numpy().reshape(-1)
    A = np.hstack([X, np.ones((300, 1))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    opt = reference.least_squares(ds.X, ds.y)
    np.testing.assert_allclose(opt.w + (opt.b,), theta, rtol=1e-9)
    # the gradient of the MSE vanishes at the optimum: 2/n A^T (A theta - y) = 0
    grad = 2 / len(y) * A.T @ (A @ np.array(opt.w + (opt.b,)) - y)
    assert np.abs(grad).max() < 1e-10
    assert reference.mse(ds.X, ds.y, opt.w, opt.b) == pytest.approx(opt.mse, rel=1e-12)


def _autograd_hessian(X, y, loss):
    Xt, yt = torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64).reshape(-1)
    d = Xt.shape[1]

    def f(theta):
        r = Xt @ theta[:d] + theta[d] - yt
        return (r ** 2).mean() / (2 if loss == "half_squared" else 1)

    point = torch.randn(d + 1, dtype=torch.float64, generator=torch.Generator().manual_seed(3)) * 5
    return torch.autograd.functional.hessian(f, point)


@pytest.mark.parametrize("loss", ["mse", "half_squared"])
@pytest.mark.parametrize("make", [lambda: linear_1d(seed=1), lambda: uniform_1d(seed=2),
                                  lambda: synthetic_data(seed=3, n=200, w=(1.0, 2.0, -1.0))])
def test_hessian_and_lambda_max_match_autograd(loss, make):
    ds = make()
    H = _autograd_hessian(ds.X.double(), ds.y.double(), loss)
    np.testing.assert_allclose(reference.hessian(ds.X, loss), H.numpy(), rtol=1e-10, atol=1e-12)
    lam = torch.linalg.eigvalsh(H)[-1].item()
    assert reference.lambda_max(ds.X, loss) == pytest.approx(lam, rel=1e-10)


def test_stability_limit_formulas_and_adaptive_none():
    X = linear_1d(seed=1).X
    lam = reference.lambda_max(X)
    assert reference.stability_limit(X) == pytest.approx(2 / lam)
    assert reference.stability_limit(X, optimizer="momentum", momentum=0.9) == pytest.approx(2 * 1.9 / lam)
    assert reference.stability_limit(X, optimizer="nesterov", momentum=0.9) == pytest.approx(2 * 1.9 / (2.8 * lam))
    for name in ("adagrad", "rmsprop", "adam"):
        assert reference.stability_limit(X, optimizer=name) is None
    assert reference.stability_limit(X, loss="half_squared") == pytest.approx(2 * reference.stability_limit(X))


def _gd_float64(A, y, lr, steps, optimizer="sgd", beta=0.0):
    """Full-batch GD on the MSE in float64, with torch.optim.SGD's momentum / Nesterov update rule."""
    theta = np.zeros(A.shape[1])
    buf = None
    opt = np.linalg.lstsq(A, y, rcond=None)[0]
    e0 = np.linalg.norm(theta - opt)
    for _ in range(steps):
        g = 2 / len(y) * A.T @ (A @ theta - y)
        if optimizer != "sgd":
            buf = g.copy() if buf is None else beta * buf + g
            g = g + beta * buf if optimizer == "nesterov" else buf
        theta = theta - lr * g
        if not np.linalg.norm(theta - opt) < 1e12 * e0:  # clearly blown up: stop before overflow
            return np.inf
    return np.linalg.norm(theta - opt) / e0


@pytest.mark.parametrize("optimizer,beta", [("sgd", 0.0), ("momentum", 0.9), ("momentum", 0.5),
                                            ("nesterov", 0.9), ("nesterov", 0.3)])
def test_stability_limit_separates_convergence_from_divergence(optimizer, beta):
    ds = linear_1d(seed=100)
    A = np.hstack([ds.X.double().numpy(), np.ones((ds.n, 1))])
    y = ds.y.double().numpy().reshape(-1)
    limit = reference.stability_limit(ds.X, "mse", optimizer, beta)
    assert _gd_float64(A, y, 0.97 * limit, 4000, optimizer, beta) < 1e-6
    assert _gd_float64(A, y, 1.03 * limit, 4000, optimizer, beta) > 1e6


def test_stability_limit_on_the_engine_full_batch_manual_gd():
    base = preset_config("linreg-manual", data="linear", n=150, true_w=(2.0,), true_b=6.0, noise=0.3,
                         x_range=5.0, seed=100, steps=3000)
    run = init(base)
    limit = reference.stability_limit(run.data.X, "mse", "sgd")
    assert run.stability_limit() == pytest.approx(limit)
    below = init(base.replace(lr=0.95 * limit))
    below.run()
    opt = reference.least_squares(below.data.X, below.data.y)
    assert below.status == "ok"
    assert below.params()["w"][0] == pytest.approx(opt.w[0], abs=1e-3)
    assert below.params()["b"][0] == pytest.approx(opt.b, abs=1e-3)
    above = init(base.replace(lr=1.05 * limit))
    above.run()
    assert above.status == "diverged" and above.step_count < 3000


def test_loss_grid_equals_direct_evaluation():
    ds = linear_1d(seed=4)
    x, y = ds.X.double().numpy().reshape(-1), ds.y.double().numpy().reshape(-1)
    ws, bs = np.linspace(-1, 5, 7), np.linspace(2, 9, 5)
    grid = reference.loss_grid(ds.X, ds.y, ws, bs)
    assert grid.shape == (5, 7)
    direct = np.array([[np.mean((w * x + b - y) ** 2) for w in ws] for b in bs])
    np.testing.assert_allclose(grid, direct, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(reference.loss_grid(ds.X, ds.y, ws, bs, "half_squared"), direct / 2, rtol=1e-9)
    opt = reference.least_squares(ds.X, ds.y)
    at_opt = reference.loss_grid(ds.X, ds.y, [opt.w[0]], [opt.b])[0, 0]
    assert at_opt == pytest.approx(opt.mse, rel=1e-8)
    with pytest.raises(ValueError):
        reference.loss_grid(synthetic_data(seed=1).X, synthetic_data(seed=1).y, ws, bs)


def test_logistic_loss_grid_equals_torch_bce():
    ds = logistic_rule(n=300, seed=5)
    X, y = ds.X.double(), ds.y.double().reshape(-1)
    w1s, w2s, b = np.linspace(-3, 3, 6), np.linspace(-4, 2, 4), 0.25
    grid = reference.logistic_loss_grid(ds.X, ds.y, w1s, w2s, b=b)
    assert grid.shape == (4, 6)
    for i, w2 in enumerate(w2s):
        for j, w1 in enumerate(w1s):
            p = torch.sigmoid(X @ torch.tensor([w1, w2], dtype=torch.float64) + b)
            assert grid[i, j] == pytest.approx(F.binary_cross_entropy(p, y).item(), rel=1e-9)


def test_mse_and_default_window():
    ds = uniform_1d(seed=3, noise=0.1)
    x, y = ds.X.double().numpy().reshape(-1), ds.y.double().numpy().reshape(-1)
    assert reference.mse(ds.X, ds.y, [1.5], 0.5) == pytest.approx(np.mean((1.5 * x + 0.5 - y) ** 2), rel=1e-12)
    assert reference.mse(ds.X, ds.y, torch.tensor([1.5]), torch.tensor([0.5])) == \
        pytest.approx(np.mean((1.5 * x + 0.5 - y) ** 2), rel=1e-12)
    opt = reference.least_squares(ds.X, ds.y)
    (wlo, whi), (blo, bhi) = reference.default_window(opt, path_w=[-4.0, 1.0], path_b=[7.0, 0.0])
    assert wlo < -4.0 < opt.w[0] < whi and blo < opt.b < 7.0 < bhi
    (wlo, whi), (blo, bhi) = reference.default_window(opt)
    assert wlo < opt.w[0] < whi and blo < opt.b < bhi


def test_bowl_equals_direct_evaluation_and_keeps_its_digits_near_the_optimum():
    ds = linear_1d(seed=4)
    x, y = ds.X.double().numpy().reshape(-1), ds.y.double().numpy().reshape(-1)
    ws, bs = np.linspace(-1, 5, 7), np.linspace(2, 9, 5)
    direct = np.array([[np.mean((w * x + b - y) ** 2) for w in ws] for b in bs])
    np.testing.assert_allclose(reference.bowl(ds.X, ds.y).grid(ws, bs), direct, rtol=1e-9)
    np.testing.assert_allclose(reference.bowl(ds.X, ds.y, "half_squared").grid(ws, bs), direct / 2, rtol=1e-9)
    # noise-free data (seed 003): the loss a hair from the optimum is tiny; expanding the square
    # from raw sums loses it to cancellation, the bowl around (w*, b*) keeps it
    x = np.linspace(0, 1, 50)
    y = 3 * x + 0.8
    bowl = reference.bowl(x, y)
    w, b = bowl.w_star + 1e-7, bowl.b_star
    exact = np.mean(((w * x + b) - y) ** 2)
    assert bowl.at(w, b) == pytest.approx(exact, rel=1e-6)
    with pytest.raises(ValueError):
        reference.bowl(synthetic_data(seed=1).X, synthetic_data(seed=1).y)


def test_bowl_expression_is_the_same_loss():
    from types import SimpleNamespace
    ds = linear_1d(seed=4)
    for loss in ("mse", "half_squared"):
        bowl = reference.bowl(ds.X, ds.y, loss)
        for w, b in ((0.0, 0.0), (2.5, -1.0), (bowl.w_star, bowl.b_star)):
            got = eval(bowl.expression(), {"__builtins__": {}},  # noqa: S307 (our own generated text)
                       {"datum": SimpleNamespace(w=w, b=b), "max": max})
            assert got == pytest.approx(float(bowl.at(w, b)), rel=1e-12)


@pytest.mark.parametrize("nan_at", [None, 0, 17])
def test_default_window_spans_the_path_as_min_and_max_do(nan_at):
    """A long path's window: the same bounds as Python's min and max over the points (a NaN as they treat it)."""
    rng = np.random.default_rng(3)
    pw, pb = rng.normal(2, 3, 3000), rng.normal(-1, 5, 3000)
    if nan_at is not None:
        pw[nan_at] = np.nan
    opt = reference.Optimum(w=(0.5,), b=0.25, mse=0.0)
    ws, bs = [0.5] + pw.tolist(), [0.25] + pb.tolist()
    dw, db = max(max(ws) - min(ws), 1.0) * 0.5, max(max(bs) - min(bs), 1.0) * 0.5
    want = ((min(ws) - dw, max(ws) + dw), (min(bs) - db, max(bs) + db))
    got = reference.default_window(opt, pw, pb)
    np.testing.assert_array_equal(np.array(got), np.array(want))
