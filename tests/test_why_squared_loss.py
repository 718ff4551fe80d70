"""gdcore.lessons.why_squared_loss: the normal density, the residual noise, and NLL's minimiser = least squares."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from gdcore.data import linear_1d, synthetic_data
from gdcore.errors import ConfigError, DataError
from gdcore.i18n import translator
from gdcore.lessons import why_squared_loss

# -- the normal density -----------------------------------------------------------------------------

@pytest.mark.parametrize("mu,sigma", [(0.0, 1.0), (0.0, 2.0), (3.0, 1.0), (-1.5, 0.01), (10.0, 7.0)])
def test_pdf_integrates_to_one(mu, sigma):
    x = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 20001)
    assert np.trapezoid(why_squared_loss.normal_pdf(x, mu, sigma), x) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("mu,sigma", [(0.0, 1.0), (0.0, 2.0), (3.0, 1.0)])
def test_pdf_closed_forms(mu, sigma):
    peak = 1 / (sigma * math.sqrt(2 * math.pi))
    assert why_squared_loss.normal_pdf(mu, mu, sigma) == pytest.approx(peak, rel=1e-14)
    assert why_squared_loss.normal_pdf(mu + sigma, mu, sigma) == pytest.approx(peak * math.exp(-0.5), rel=1e-14)
    assert why_squared_loss.normal_pdf(mu - 2 * sigma, mu, sigma) == pytest.approx(peak * math.exp(-2), rel=1e-14)
    # the formula written out, at arbitrary points
    x = np.array([-3.3, -0.7, 0.0, 1.1, 4.2])
    want = 1 / math.sqrt(2 * math.pi * sigma ** 2) * np.exp(-(x - mu) ** 2 / (2 * sigma ** 2))
    np.testing.assert_allclose(why_squared_loss.normal_pdf(x, mu, sigma), want, rtol=1e-14)


def test_pdf_matches_torch_distributions():
    x = torch.linspace(-5, 8, 101, dtype=torch.float64)
    for mu, sigma in why_squared_loss.DEFAULT_PAIRS:
        ref = torch.distributions.Normal(torch.tensor(mu, dtype=torch.float64),
                                         torch.tensor(sigma, dtype=torch.float64)).log_prob(x).exp().numpy()
        np.testing.assert_allclose(why_squared_loss.normal_pdf(x.numpy(), mu, sigma), ref, rtol=1e-12)


@pytest.mark.parametrize("sigma", [0.0, -1.0, float("nan"), float("inf")])
def test_pdf_needs_positive_sigma(sigma):
    with pytest.raises(ConfigError):
        why_squared_loss.normal_pdf(0.0, 0.0, sigma)


def test_parse_pairs():
    pairs, problems = why_squared_loss.parse_pairs([(0, 1), (0, 2), (3, 1)])
    assert pairs == list(why_squared_loss.DEFAULT_PAIRS) and problems == []
    pairs, problems = why_squared_loss.parse_pairs([(0, 1), (None, None), (float("nan"), float("nan")), (1, -1),
                                                    (2, None), (0, 1), ("a", 1), (2e6, 1)])
    assert pairs == [(0.0, 1.0)]
    problems = [translator("en")(p) for p in problems]
    assert len(problems) == 4 and "row 4" in problems[0] and "positive" in problems[0]
    df = pd.DataFrame({"mu": [0.0, 3.0, None], "sigma": [1.0, 1.0, None]})
    assert why_squared_loss.parse_pairs(df) == ([(0.0, 1.0), (3.0, 1.0)], [])
    assert why_squared_loss.parse_pairs(pd.DataFrame({"mu": [], "sigma": []})) == ([], [])
    many, problems = why_squared_loss.parse_pairs([(i, 1) for i in range(why_squared_loss.MAX_PAIRS + 3)])
    assert len(many) == why_squared_loss.MAX_PAIRS and problems


def test_parse_pairs_speaks_the_learners_language():
    rows = [(1, -1), (2, None), (2e6, 1)]
    en = [translator("en")(p) for p in why_squared_loss.parse_pairs(rows)[1]]
    assert en == ["row 1: σ must be positive (it is a standard deviation), got -1", "row 2 needs both μ and σ",
                  "row 3: μ and σ must be at most 1e+06 in size"]
    pairs, problems = why_squared_loss.parse_pairs(rows)
    zh = [translator("zh")(p) for p in problems]
    assert pairs == [] and zh == ["第 1 行：σ 是标准差，必须为正数，实际为 -1", "第 2 行需要同时填写 μ 和 σ",
                                  "第 3 行：μ 和 σ 的绝对值不能超过 1e+06"]


def test_link_fields_match_the_page():
    f = {x.name: x for x in why_squared_loss.LINK_FIELDS}
    assert f["sigma"].lo == why_squared_loss.MIN_SIGMA and f["mu"].hi == why_squared_loss.MAX_ABS
    assert f["data"].choices == why_squared_loss.SOURCES
    for raw in ("0", "-1"):
        with pytest.raises(ValueError, match="out_of_range"):
            f["sigma"].parse(raw)
    with pytest.raises(ValueError, match="not_a_number"):
        f["mu"].parse("abc")


def test_pdf_table():
    t = why_squared_loss.pdf_table(why_squared_loss.DEFAULT_PAIRS)
    assert list(t.columns) == ["x", "p", "label"] and len(t) == 3 * why_squared_loss.PDF_POINTS
    assert t["x"].min() == pytest.approx(-8.0) and t["x"].max() == pytest.approx(8.0)  # (0, 2) ± 4σ
    assert set(t["label"]) == {"μ=0, σ=1", "μ=0, σ=2", "μ=3, σ=1"}
    assert why_squared_loss.pdf_table([]).empty


# -- the noise -----------------------------------------------------------------------------------

def test_fit_noise_one_feature_matches_polyfit():
    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    fit = why_squared_loss.fit_noise(ds.X, ds.y)
    x, y = ds.X.double().numpy().ravel(), ds.y.double().numpy().ravel()
    w, b = np.polyfit(x, y, 1)
    assert fit.w[0] == pytest.approx(w, rel=1e-9) and fit.b == pytest.approx(b, rel=1e-9)
    np.testing.assert_allclose(fit.residuals, y - (w * x + b), atol=1e-9)
    assert abs(fit.mean) < 1e-9  # an intercept makes the residuals average to zero
    assert fit.sigma == pytest.approx(np.sqrt(np.mean(fit.residuals ** 2)))
    assert fit.sigma == pytest.approx(0.3, rel=0.15) and fit.n == 150
    assert fit.sse == pytest.approx(np.sum(fit.residuals ** 2))


def test_fit_noise_d2l_recovers_the_noise():
    ds = synthetic_data(n=1000, noise=0.01, seed=0)
    fit = why_squared_loss.fit_noise(ds.X, ds.y)
    assert fit.sigma == pytest.approx(0.01, rel=0.1)
    assert fit.w == pytest.approx((2.0, -3.4), abs=2e-3) and fit.b == pytest.approx(4.2, abs=2e-3)


def test_fit_noise_needs_two_samples():
    with pytest.raises(DataError):
        why_squared_loss.fit_noise(np.ones((1, 1)), np.ones(1))


def test_histogram_is_a_density():
    rng = np.random.default_rng(0)
    v = rng.normal(0, 0.3, 5000)
    h = why_squared_loss.histogram(v)
    assert int(h["count"].sum()) == 5000 and len(h) <= why_squared_loss.MAX_BINS
    assert float(np.sum(h["density"] * (h["right"] - h["left"]))) == pytest.approx(1.0)
    assert len(why_squared_loss.histogram(v, bins=7)) == 7
    const = why_squared_loss.histogram(np.full(10, 2.0))  # no spread: still one valid bin range
    assert int(const["count"].sum()) == 10 and np.all(np.isfinite(const["density"]))
    assert why_squared_loss.histogram([]).empty


def test_gaussian_curve():
    c = why_squared_loss.gaussian_curve(0.0, 0.5, -2, 2, num=101, label="fit")
    assert len(c) == 101 and set(c["label"]) == {"fit"}
    assert c["p"].max() == pytest.approx(1 / (0.5 * math.sqrt(2 * math.pi)))


# -- likelihood ----------------------------------------------------------------------------------

def test_nll_formula_equals_summed_log_density_and_torch():
    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    w, b, sigma = (1.9,), 6.2, 0.4
    r = why_squared_loss.residuals(ds.X, ds.y, w, b)
    closed = why_squared_loss.negative_log_likelihood(np.sum(r ** 2), len(r), sigma)
    assert closed == pytest.approx(why_squared_loss.gaussian_nll(ds.X, ds.y, w, b, sigma), rel=1e-12)
    f64 = dict(dtype=torch.float64)
    normal = torch.distributions.Normal(torch.tensor(0.0, **f64), torch.tensor(sigma, **f64))
    ref = -normal.log_prob(torch.from_numpy(r)).sum().item()
    assert closed == pytest.approx(ref, rel=1e-10)
    with pytest.raises(ConfigError):
        why_squared_loss.negative_log_likelihood(1.0, 10, 0.0)


def test_profile_sse_is_the_best_sse_for_each_w():
    ds = synthetic_data(n=300, noise=0.5, seed=3)
    X, y = ds.X.double().numpy(), ds.y.double().numpy().ravel()
    for j in (0, 1):
        for wj in (-4.0, 0.3, 2.5):
            # brute force: fix w_j, least squares over the other weight and b
            others = np.hstack([np.delete(X, j, axis=1), np.ones((len(X), 1))])
            rest, *_ = np.linalg.lstsq(others, y - wj * X[:, j], rcond=None)
            want = np.sum((y - wj * X[:, j] - others @ rest) ** 2)
            assert why_squared_loss.profile_sse(X, y, [wj], j)[0] == pytest.approx(want, rel=1e-9)
    with pytest.raises(ConfigError):
        why_squared_loss.profile_sse(X, y, [0.0], j=2)


@pytest.mark.parametrize("make,j", [(lambda: linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100), 0),
                                    (lambda: synthetic_data(n=1000, noise=0.01, seed=0), 0),
                                    (lambda: synthetic_data(n=1000, noise=0.01, seed=0), 1),
                                    (lambda: linear_1d(40, -1.0, 0.5, 2.0, 5.0, 7), 0)])
def test_argmin_of_nll_is_least_squares(make, j):
    ds = make()
    c = why_squared_loss.likelihood_curve(ds.X, ds.y, j=j)
    fit = why_squared_loss.fit_noise(ds.X, ds.y)
    assert c.w_ls == fit.w[j]
    assert c.argmin("nll") == c.w_ls == c.argmin("nll_profile") == c.argmin("mse") == c.argmin("sse")
    assert len(c.w) == 201 and c.w[100] == c.w_ls
    assert c.sigma == pytest.approx(fit.sigma)
    # at the optimum the fixed-σ NLL is the one from the formula with the least-squares SSE
    assert c.nll[100] == pytest.approx(why_squared_loss.negative_log_likelihood(fit.sse, fit.n, fit.sigma), rel=1e-9)
    # and the profile NLL is the fixed one where σ = σ̂ (they touch at w*)
    assert c.nll_profile[100] == pytest.approx(c.nll[100], rel=1e-9)
    assert np.all(c.nll_profile <= c.nll + 1e-6 * abs(c.nll).max())  # σ re-fitted can only do better
    f = c.frame("nll_profile")
    assert list(f.columns) == ["w", "mse", "nll"] and len(f) == 201


def test_nll_is_larger_off_the_least_squares_solution():
    ds = linear_1d(150, 2.0, 6.0, 0.3, 5.0, 100)
    fit = why_squared_loss.fit_noise(ds.X, ds.y)
    best = why_squared_loss.gaussian_nll(ds.X, ds.y, fit.w, fit.b, 0.3)
    for dw, db in [(1e-3, 0), (-1e-3, 0), (0, 1e-3), (0, -1e-3), (1e-3, -1e-3)]:
        assert why_squared_loss.gaussian_nll(ds.X, ds.y, (fit.w[0] + dw,), fit.b + db, 0.3) > best


def test_likelihood_curve_bad_index():
    ds = linear_1d(20, 2.0, 6.0, 0.3, 5.0, 1)
    with pytest.raises(ConfigError):
        why_squared_loss.likelihood_curve(ds.X, ds.y, j=1)


def test_likelihood_curve_without_noise_stays_finite():
    X = np.linspace(0, 1, 50).reshape(-1, 1)
    y = 3 * X.ravel() + 0.8  # exact line: σ̂ = 0
    c = why_squared_loss.likelihood_curve(X, y)
    assert np.all(np.isfinite(c.nll_profile)) and c.argmin("mse") == pytest.approx(3.0)
