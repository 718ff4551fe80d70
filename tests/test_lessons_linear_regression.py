"""gdcore.lessons.linear_regression: the numbers the linear-regression page shows, checked against trusted answers
(numpy's eigenvalues and lstsq, torch autograd, the tutorial's own print format, real runs)."""
import math

import numpy as np
import pytest
import torch

from gdcore import Run, preset_config
from gdcore.i18n import translator
from gdcore.lessons import linear_regression
from gdcore.reference import Optimum

EN = translator("en")


@pytest.fixture(scope="module")
def manual_run():
    return Run(preset_config("linreg-manual", steps=50))


def _design(X):
    x = X.double().numpy().reshape(-1)
    return np.stack([x, np.ones_like(x)], axis=1)


# -- facts --------------------------------------------------------------------------------------

def test_facts_match_numpy(manual_run):
    X, y = manual_run.data.X, manual_run.data.y
    f = linear_regression.facts(X, y)
    A = _design(X)
    eig = np.linalg.eigvalsh(2 * A.T @ A / len(A))
    assert f.lambda_max == pytest.approx(eig[-1], rel=1e-12)
    assert f.lambda_min == pytest.approx(eig[0], rel=1e-9)
    assert f.limit == pytest.approx(2 / eig[-1], rel=1e-12)
    theta, *_ = np.linalg.lstsq(A, y.double().numpy().reshape(-1), rcond=None)
    assert f.optimum.w[0] == pytest.approx(theta[0], abs=1e-9)
    assert f.optimum.b == pytest.approx(theta[1], abs=1e-9)
    assert f.optimum.w[0] == pytest.approx(3.0, abs=1e-5)  # seed 003's data: y = 3x + 0.8, no noise
    assert f.unique
    assert f.limit == pytest.approx(manual_run.stability_limit(), rel=1e-12)


def test_facts_single_point_is_not_unique():
    X = torch.tensor([[2.0]])
    f = linear_regression.facts(X, torch.tensor([[5.0]]))
    assert not f.unique
    assert f.limit is not None and math.isfinite(f.limit)


@pytest.mark.parametrize("factor, status", [(0.97, "ok"), (1.03, "diverged")])
def test_limit_separates_converging_from_diverging_runs(factor, status):
    """The claim on screen: above 2/λmax full-batch GD diverges, below it converges."""
    base = preset_config("linreg-minibatch", mode="batch", steps=800)
    data = Run(base).data
    f = linear_regression.facts(data.X, data.y)
    run = Run(base.replace(lr=factor * f.limit))
    run.run()
    assert run.status == status
    if status == "ok":
        assert run.current_loss() == pytest.approx(f.optimum.mse, rel=1e-3)


def test_overshoot_and_regimes():
    assert linear_regression.overshoot_factor(0.1, 5.0) == pytest.approx(0.5)
    assert linear_regression.overshoot_factor(0.3, 5.0) == pytest.approx(0.5)
    assert linear_regression.overshoot_factor(0.5, 5.0) == pytest.approx(1.5)
    assert linear_regression.lr_regime(0.1, 5.0) == "smooth"
    assert linear_regression.lr_regime(0.2, 5.0) == "smooth"  # lr·λ = 1: lands on the floor in one step
    assert linear_regression.lr_regime(0.3, 5.0) == "zigzag"
    assert linear_regression.lr_regime(0.4, 5.0) == "edge"
    assert linear_regression.lr_regime(0.41, 5.0) == "diverges"


def test_steps_per_decade_matches_a_real_run(manual_run):
    """Distance to the optimum shrinks 10× in about steps_per_decade steps (slowest direction)."""
    f = linear_regression.facts(manual_run.data.X, manual_run.data.y)
    lr = 0.5
    k = linear_regression.steps_per_decade(lr, f)
    assert k == pytest.approx(math.log(10) / -math.log(1 - lr * f.lambda_min))
    run = Run(preset_config("linreg-manual", lr=lr, steps=400))
    run.run()
    recs = {r["step"]: r for r in run.records()}

    def dist(s):
        return math.hypot(recs[s]["w"] - f.optimum.w[0], recs[s]["b"] - f.optimum.b)

    s0, s1 = 20, 20 + round(2 * k)  # two decades, after the fast direction has died out
    assert dist(s1) / dist(s0) == pytest.approx(0.01, rel=0.3)
    assert linear_regression.steps_per_decade(2.5 * f.limit, f) is None


def test_lr_sentences_name_the_regime(manual_run):
    f = linear_regression.facts(manual_run.data.X, manual_run.data.y)
    assert "without jumping" in EN(linear_regression.lr_sentence(0.01, f))
    assert "steps for each 10×" in EN(linear_regression.lr_sentence(0.01, f))
    assert "zigzag" in EN(linear_regression.lr_sentence(0.75 * f.limit, f))
    assert "diverge" in EN(linear_regression.lr_sentence(1.5 * f.limit, f))


def test_divergence_explanation_has_the_numbers():
    text = EN(linear_regression.divergence_explanation(5.0, 2.436))
    assert "1 − 5 × 2.436 = -11.18" in text
    assert "11.18" in text and "2/λmax = 0.821" in text
    assert "inf" in text


# -- the printout -----------------------------------------------------------------------------------

REC = {"step": 3, "epoch": 1, "batch": 2, "loss": 0.99385, "grad_w": -1.054142, "grad_b": -1.5759,
       "w": 0.8303217, "b": 1.0128258}


def test_step_columns_count_as_the_tutorial_does(manual_run):
    run = Run(preset_config("linreg-manual", steps=50))
    run.run(20)
    t = linear_regression.step_columns(run.records(last=15), epochs=False)  # 003: for i in range(3000)
    assert list(t) == ["step", "i", "loss", "Δw", "Δb", "w", "b"]
    assert t["step"] == list(range(6, 21)) and t["i"] == list(range(5, 20))  # newest last
    run = Run(linear_regression.run_config("linreg-minibatch", steps=792))
    run.run(10)
    t = linear_regression.step_columns(run.records(last=3))  # 000: for epoch in range(1, 100), enumerate(dataloader)
    assert list(t) == ["step", "epoch", "batch", "loss", "Δw", "Δb", "w", "b"]
    assert [list(row) for row in zip(t["step"], t["epoch"], t["batch"])] == [[8, 1, 7], [9, 2, 0], [10, 2, 1]]


def test_run_config_runs_tutorial_000_as_written_with_full_batch_numbers():
    """000's loop draws DataLoader batches but computes on the full tensors: the page's run counts
    epoch(e) batch(i) as the tutorial does, and its numbers are those of 792 full-batch steps."""
    cfg = linear_regression.run_config("linreg-minibatch", steps=792)
    assert (cfg.mode, cfg.full_tensor_pitfall, cfg.batch_size, cfg.seed) == ("minibatch", True, 20, 100)
    run = Run(cfg)
    assert (run.steps_per_epoch, run.total_steps) == (8, 792)
    run.run()
    full = Run(preset_config("linreg-minibatch", mode="batch", steps=792))
    full.run()
    assert run.losses().tobytes() == full.losses().tobytes() and run.params() == full.params()
    assert run.records(last=1)[0]["epoch"] == 99 and run.records(last=1)[0]["batch"] == 7
    assert linear_regression.run_config("linreg-minibatch", steps=5, n=12).batch_size == 12  # n < one batch
    c003 = linear_regression.run_config("linreg-manual", steps=3000)
    assert (c003.mode, c003.total_steps(c003.n)) == ("batch", 3000)


def test_explain_last_step_against_autograd():
    """The explained step equals the tutorial's loop done by hand with torch autograd."""
    run = Run(preset_config("linreg-manual", steps=50))
    run.run(2)
    w = run.w0.clone().reshape(1).requires_grad_(True)
    b = run.b0.clone().reshape(1).requires_grad_(True)
    x, y = run.data.X.reshape(-1), run.data.y.reshape(-1)
    for _ in range(2):
        w_old, b_old = w.item(), b.item()
        loss = (x * w + b - y).pow(2).mean()
        if w.grad is not None:
            w.grad.zero_(), b.grad.zero_()
        loss.backward()
        w.data -= 0.01 * w.grad.data
        b.data -= 0.01 * b.grad.data
    ex = linear_regression.explain_last_step(run.records(last=2), float(run.w0), float(run.b0), 0.01)
    assert ex.step == 2
    assert ex.w_old == pytest.approx(w_old, abs=1e-7) and ex.b_old == pytest.approx(b_old, abs=1e-7)
    assert ex.loss == pytest.approx(loss.item(), rel=1e-6)
    assert ex.grad_w == pytest.approx(float(w.grad), rel=1e-6)
    assert ex.grad_b == pytest.approx(float(b.grad), rel=1e-6)
    assert ex.w_new == pytest.approx(w.item(), abs=1e-7)
    cw, cb = ex.check()
    assert cw == pytest.approx(ex.w_new, abs=1e-6) and cb == pytest.approx(ex.b_new, abs=1e-6)
    assert ex.update[0] == ("w.data -= lr * w.grad",
                            f"w = {ex.w_old:.6g} - 0.01 × ({ex.grad_w:.6g}) = {ex.w_new:.6g}")
    assert ex.forward[1][1] == f"loss = {ex.loss:.6g}"
    assert ex.backward[0][1] == f"Δw = {ex.grad_w:.6g}"
    text = EN(ex.text()).splitlines()
    assert len(text) == 9 and text[0].startswith("# ① forward") and text[6].startswith("# ③ update")
    assert text[7].startswith("w.data -= lr * w.grad ") and text[7].endswith(f"= {ex.w_new:.6g}")
    assert len({line.index("# ") for line in text if not line.startswith("#")}) == 1  # comments aligned


def test_explain_first_step_uses_the_initial_parameters():
    run = Run(preset_config("linreg-manual", steps=50))
    run.run(1)
    ex = linear_regression.explain_last_step(run.records(last=2), float(run.w0), float(run.b0), 0.01)
    assert ex.w_old == float(run.w0) and ex.b_old == float(run.b0)
    assert linear_regression.explain_last_step([], 0.0, 0.0, 0.01) is None
    # a lone record (its predecessor thinned away): the update is undone from the record itself
    lone = dict(REC, step=9)
    ex = linear_regression.explain_last_step([lone], 0.0, 0.0, 0.01)
    assert ex.w_old == pytest.approx(REC["w"] + 0.01 * REC["grad_w"])


def test_positive_gradient_is_not_parenthesised():
    ex = linear_regression.explain_last_step([dict(REC, step=1, grad_w=0.5)], 1.0, 1.0, 0.1)
    assert "1 - 0.1 × 0.5 = " in ex.update[0][1]


# -- distance, path, window -------------------------------------------------------------------------

def test_distance_to_optimum():
    X = torch.tensor([[0.0], [1.0], [2.0]])
    y = torch.tensor([[1.0], [3.0], [5.0]])
    f = linear_regression.facts(X, y)
    d0 = linear_regression.distance_to_optimum(X, y, f.optimum.w[0], f.optimum.b, f.optimum)
    assert d0.dw == pytest.approx(0, abs=1e-9) and d0.dloss == pytest.approx(0, abs=1e-12)
    d = linear_regression.distance_to_optimum(X, y, 3.0, 0.0, f.optimum)
    assert d.dw == pytest.approx(1.0) and d.db == pytest.approx(1.0)
    assert d.loss == pytest.approx(np.mean((np.array([0, 3, 6]) - np.array([1, 3, 5])) ** 2))
    assert d.dloss == pytest.approx(d.loss - f.optimum.mse)


def test_path_arrays_start_at_the_initial_point():
    recs = [dict(REC, step=1, w=1.0, b=2.0), dict(REC, step=2, w=1.5, b=2.5)]
    steps, w, b = linear_regression.path_arrays(recs, 0.5, 0.25)
    assert steps.tolist() == [0, 1, 2] and w.tolist() == [0.5, 1.0, 1.5] and b.tolist() == [0.25, 2.0, 2.5]


def test_window_holds_optimum_start_and_path_but_not_a_blow_up():
    opt = Optimum((2.0,), 6.0, 0.1)
    (wlo, whi), (blo, bhi) = linear_regression.landscape_window(opt, (0.0, 0.0), [1.0, 1.5], [3.0, 5.0])
    assert wlo < 0.0 < 2.0 < whi and blo < 0.0 < 6.0 < bhi
    path_w = [0.0, 4.0, -3.0, 1e3, 1e30]
    path_b = [0.0, 9.0, -5.0, 1e3, -1e30]
    (wlo, whi), (blo, bhi) = linear_regression.landscape_window(opt, (0.0, 0.0), path_w, path_b)
    assert wlo <= -3.0 and whi >= 4.0 and whi < 100 and bhi < 100
    assert linear_regression.in_window(((wlo, whi), (blo, bhi)), 4.0, 9.0)
    assert not linear_regression.in_window(((wlo, whi), (blo, bhi)), 1e6, 1e6)
    wv, bv = linear_regression.grid_axes(((wlo, whi), (blo, bhi)), size=44)
    assert len(wv) == len(bv) == 44 and wv[0] == wlo and bv[-1] == bhi
