"""The logistic-regression lesson's math: variant configs, the boundary segment, the current sample."""
import math

import numpy as np
import pytest
import torch

from gdcore.engine import Run
from gdcore.errors import ConfigError
from gdcore.lessons import logistic_regression
from gdcore.presets import PRESETS


def test_tutorial_variant_is_the_preset():
    c = logistic_regression.variant_config()
    p = PRESETS["logreg-manual"]
    for f in ("impl", "loss", "mode", "batch_size", "loader", "shuffle", "lr", "epochs", "seed", "init", "n"):
        assert getattr(c, f) == getattr(p, f), f
    assert c.total_steps(c.n) == 100_000


@pytest.mark.parametrize("impl,safe,loss", [("manual", False, "bce_manual"), ("manual", True, "bce_logits"),
                                            ("module", False, "bce"), ("module", True, "bce_logits")])
def test_loss_for(impl, safe, loss):
    assert logistic_regression.loss_for(impl, safe) == loss
    assert logistic_regression.variant_config(impl=impl, safe=safe).loss == loss


def test_variant_modes():
    assert logistic_regression.variant_config(mode="minibatch", batch_size=32, loader="dataloader").batch_size == 32
    c = logistic_regression.variant_config(mode="batch", batch_size=32)
    assert c.mode == "batch" and c.total_steps(c.n) == 100
    assert logistic_regression.variant_config(mode="stochastic", batch_size=32).batch_size == 1
    with pytest.raises(ConfigError, match="larger than"):
        logistic_regression.variant_config(mode="minibatch", batch_size=5000)
    with pytest.raises(ConfigError):
        logistic_regression.variant_config(mode="sideways")
    with pytest.raises(ConfigError):
        logistic_regression.loss_for("keras", True)
    with pytest.raises(ConfigError):
        logistic_regression.variant_config(lr=-1.0)


def test_data_box_contains_all_points():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [-1.0, 4.0]])
    x1lo, x1hi, x2lo, x2hi = logistic_regression.data_box(X, pad=0.1)
    assert x1lo == pytest.approx(-1.2) and x1hi == pytest.approx(1.2)
    assert x2lo == pytest.approx(-0.4) and x2hi == pytest.approx(4.4)


def _on_line(p, w, b):
    return abs(w[0] * p[0] + w[1] * p[1] + b) < 1e-9


def _on_box_edge(p, box):
    x1lo, x1hi, x2lo, x2hi = box
    return (math.isclose(p[0], x1lo) or math.isclose(p[0], x1hi) or math.isclose(p[1], x2lo)
            or math.isclose(p[1], x2hi))


@pytest.mark.parametrize("w,b", [((0.5, -1.5), 0.0), ((1.0, 1.0), 0.3), ((0.0, 2.0), -1.0), ((3.0, 0.0), 1.5),
                                 ((1.0, -1.0), 0.0), ((1.783, -5.252), 0.146)])
def test_boundary_segment_ends_on_the_line_and_the_box(w, b):
    box = (-3.0, 3.0, -3.0, 3.0)
    seg = logistic_regression.boundary_segment(w, b, box)
    assert seg is not None and len(seg) == 2
    for p in seg:
        assert _on_line(p, w, b)
        assert _on_box_edge(p, box)
        assert box[0] - 1e-12 <= p[0] <= box[1] + 1e-12 and box[2] - 1e-12 <= p[1] <= box[3] + 1e-12
    assert seg[0] != seg[1]


def test_boundary_segment_known_values():
    seg = logistic_regression.boundary_segment((0.0, 1.0), -1.0, (-2, 2, -2, 2))  # the line x2 = 1
    assert seg == ((-2, 1.0), (2, 1.0))
    seg = logistic_regression.boundary_segment((1.0, -1.0), 0.0, (-1, 1, -1, 1))  # the diagonal through two corners
    assert seg == ((-1, -1.0), (1, 1.0))


def test_boundary_segment_missing_or_degenerate():
    box = (-1.0, 1.0, -1.0, 1.0)
    assert logistic_regression.boundary_segment((1.0, 0.0), 5.0, box) is None  # x1 = -5, outside
    assert logistic_regression.boundary_segment((0.0, 0.0), 1.0, box) is None
    assert logistic_regression.boundary_segment((float("nan"), 1.0), 0.0, box) is None


def test_sigmoid_is_stable_and_right():
    z = np.array([-1000.0, -5.0, 0.0, 5.0, 1000.0])
    s = logistic_regression.sigmoid(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12)


def test_probability_grid():
    g = logistic_regression.probability_grid((1.0, 0.0), 0.0, (-1, 1, -1, 1), k=10)
    assert len(g) == 100
    assert ((g["x1e"] > g["x1"]) & (g["x2e"] > g["x2"])).all()
    assert (g.loc[g["x1"] > 0, "y_hat"] > 0.5).all() and (g.loc[g["x1e"] < 0, "y_hat"] < 0.5).all()


@pytest.fixture(scope="module")
def short_run():
    run = Run(logistic_regression.variant_config(epochs=3))
    run.run(2500)
    return run


def test_current_sample_is_the_last_one_used(short_run):
    assert logistic_regression.current_sample(Run(logistic_regression.variant_config(epochs=1))) is None
    cur = logistic_regression.current_sample(short_run)
    assert cur["i"] == 2499 % 1000  # in order, as the tutorial walks data_x[step]
    x = short_run.data.X[cur["i"]].double()
    p = short_run.params()
    z = float(torch.tensor(p["w"]).double() @ x + p["b"][0])
    assert cur["z"] == pytest.approx(z, rel=1e-6)
    assert cur["y_hat"] == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-9)
    assert cur["y"] == float(short_run.data.y[cur["i"]])


def test_boundary_of_a_run_and_true_boundary(short_run):
    seg, box = logistic_regression.boundary(short_run)
    p = short_run.params()
    for pt in seg:
        assert abs(p["w"][0] * pt[0] + p["w"][1] * pt[1] + p["b"][0]) < 1e-6
    tseg = logistic_regression.true_boundary(short_run, box)
    for pt in tseg:
        assert abs(0.5 * pt[0] - 1.5 * pt[1]) < 1e-9


def test_printed_losses_and_loss_frames(short_run):
    printed = logistic_regression.printed_losses(short_run)
    assert list(printed["epoch"]) == [0, 1]
    L = short_run.losses()
    assert printed["loss"].tolist() == [float(L[999]), float(L[1999])]
    f = logistic_regression.loss_frames(short_run)
    assert len(f[f["series"] == logistic_regression.PER_EPOCH]) == 2
    assert len(f) <= 2000 + 2
    assert set(f.loc[f["series"] == logistic_regression.PER_EPOCH, "step"]) == {1000, 2000}


def test_first_steps_match_the_tutorial_loop():
    """The tutorial's own loop (seeded through a local generator: same stream as torch.manual_seed(123))."""
    g = torch.Generator().manual_seed(123)
    data_x = torch.randn(size=(1000, 2), generator=g).float()
    data_y = torch.where(torch.subtract(data_x[:, 0] * 0.5, data_x[:, 1] * 1.5) > 0, 1., 0.).float()
    w = torch.randn(size=(2, 1), generator=g).requires_grad_(True)
    b = torch.zeros(size=(1, 1), requires_grad=True)
    losses = []
    for step in range(300):
        y_hat = torch.sigmoid(torch.matmul(w.transpose(0, 1), data_x[step]) + b)
        y = data_y[step]
        loss = -(torch.log(y_hat) * y + (1 - y) * torch.log(1 - y_hat))
        loss.backward()
        with torch.no_grad():
            w.data -= 0.001 * w.grad
            b.data -= 0.001 * b.grad
            w.grad.data.zero_()
            b.grad.data.zero_()
        losses.append(loss.item())
    run = Run(logistic_regression.variant_config(epochs=1))
    run.run(300)
    np.testing.assert_allclose(run.losses(), losses, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(run.params()["w"], w.detach().reshape(-1).numpy(), rtol=1e-5)
    assert run.params()["b"][0] == pytest.approx(b.item(), abs=1e-6)


def test_large_lr_breaks_manual_loss_but_not_logits():
    bad = Run(logistic_regression.variant_config(lr=10.0, epochs=1))
    bad.run()
    assert bad.status == "diverged" and "log(0)" in bad.message
    good = Run(logistic_regression.variant_config(lr=10.0, safe=True, epochs=1))
    good.run()
    assert good.status == "ok" and good.step_count == 1000


def test_the_loss_table_draws_what_the_loss_frame_drew(short_run):
    """The page's loss curve from loss_parts as one table: the very spec the translated frame gave."""
    from gdcore import charts
    from gdcore.charts import logistic_regression as lcharts
    from gdcore.charts import vl
    from gdcore.i18n import translator
    for lang in ("en", "zh"):
        T = translator(lang)
        for log in (True, False):
            frame = T.frame(logistic_regression.loss_frames(short_run))
            before = charts.loss_curve_spec(frame, log=log, labels=T.labels)
            after = charts.loss_curve_spec(lcharts.parts_table(logistic_regression.loss_parts(short_run), T), log=log,
                                           labels=T.labels)
            assert vl.wire(after) == vl.wire(before)
