"""Why squared loss (seed 001's theory), in float64 numpy: the normal density, the noise left by a
least-squares fit, and the Gaussian negative log-likelihood, whose minimiser is the least-squares one.

    p(x) = 1 / sqrt(2 pi sigma^2) * exp(-(x - mu)^2 / (2 sigma^2))
    -log L(w, b) = n/2 log(2 pi sigma^2) + 1/(2 sigma^2) * sum_i (y_i - x_i w - b)^2
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import limits
from ..errors import ConfigError, DataError
from ..i18n import Message
from ..links import Field
from ..reference import _design, _np, least_squares

DEFAULT_PAIRS: tuple[tuple[float, float], ...] = ((0.0, 1.0), (0.0, 2.0), (3.0, 1.0))  # d2l's figure
MAX_PAIRS = 8
MAX_ABS = 1e6  # mu and sigma beyond this are typing slips, not lessons
PDF_POINTS = 401
MAX_BINS = 60
MIN_SIGMA = 0.001  # the smallest σ the page accepts for a bell (the μ/σ inputs and the table)

# The page's widgets (pages/views/why_squared_loss.py); each Field's range and choices are its widget's.
SOURCES = ("linreg-minibatch", "linreg-d2l")  # the data generators the page offers
NOISE_RANGE = (0.01, 2.0)
N_RANGE = limits.SQUARED_N
SIGMA_MODES = ("fixed", "profile")
MAX_FEATURES = 2  # the most features a page data set has (d2l's): `vary` picks one of them
LINK_FIELDS: list[Field] = [
    Field("mu", "w.why_squared_loss.mu", "float", -MAX_ABS, MAX_ABS),
    Field("sigma", "w.why_squared_loss.sigma", "float", MIN_SIGMA, MAX_ABS, log=True),
    Field("data", "w.why_squared_loss.source", "choice", choices=SOURCES),
    Field("noise", "w.why_squared_loss.noise", "float", *NOISE_RANGE, log=True),
    Field("n", "w.why_squared_loss.n", "int", *N_RANGE),
    Field("sigma_mode", "w.why_squared_loss.sigma_mode", "choice", choices=SIGMA_MODES),
    Field("vary", "w.why_squared_loss.j", "int", 0, MAX_FEATURES - 1),
]
HIDE_GROUPS: tuple[str, ...] = ("presets", "bell", "table", "data", "likelihood")


def normal_pdf(x, mu: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """d2l's `normal(x, mu, sigma)`: the normal density, float64."""
    if not (math.isfinite(sigma) and sigma > 0):
        raise ConfigError(key="sigma_positive", value=str(sigma))
    x = np.asarray(x, dtype=np.float64)
    p = 1.0 / math.sqrt(2 * math.pi * sigma ** 2)
    return p * np.exp(-0.5 / sigma ** 2 * (x - mu) ** 2)


def pair_label(mu: float, sigma: float) -> str:
    return f"μ={mu:g}, σ={sigma:g}"


def parse_pairs(rows) -> tuple[list[tuple[float, float]], list[Message]]:
    """(μ, σ) pairs from an edited table (a DataFrame with columns mu, sigma, or (mu, sigma) rows).

    Empty rows are skipped; a bad row is left out and named in one sentence (a Message);
    duplicates are dropped.
    """
    T = Message.of
    if isinstance(rows, pd.DataFrame):
        rows = list(rows[["mu", "sigma"]].itertuples(index=False, name=None)) if len(rows) else []
    pairs, problems = [], []
    for i, row in enumerate(rows, start=1):
        mu, sigma = (_num(v) for v in row)
        if mu is None and sigma is None:
            continue
        if mu is None or sigma is None:
            problems.append(T("why_squared_loss.problems.needs_both", row=i))
        elif abs(mu) > MAX_ABS or abs(sigma) > MAX_ABS:
            problems.append(T("why_squared_loss.problems.too_large", row=i, max=f"{MAX_ABS:g}"))
        elif sigma <= 0:
            problems.append(T("why_squared_loss.problems.not_positive", row=i, sigma=f"{sigma:g}"))
        elif (mu, sigma) not in pairs:
            pairs.append((mu, sigma))
    if len(pairs) > MAX_PAIRS:
        problems.append(T("why_squared_loss.problems.too_many", n=MAX_PAIRS))
        pairs = pairs[:MAX_PAIRS]
    return pairs, problems


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def peak_density(sigma: float) -> float:
    """The density at the centre of N(μ, σ²): 1 / sqrt(2 pi sigma^2) (the bell's height)."""
    return float(normal_pdf(0.0, 0.0, sigma))


def pdf_table(pairs, num: int = PDF_POINTS) -> pd.DataFrame:
    """The density of each (μ, σ) on one shared x range (μ ± 4σ of them all): columns x, p, label."""
    pairs = list(pairs)
    if not pairs:
        return pd.DataFrame({"x": [], "p": [], "label": []})
    lo = min(mu - 4 * s for mu, s in pairs)
    hi = max(mu + 4 * s for mu, s in pairs)
    x = np.linspace(lo, hi, num)
    parts = [pd.DataFrame({"x": x, "p": normal_pdf(x, mu, s), "label": pair_label(mu, s)}) for mu, s in pairs]
    return pd.concat(parts, ignore_index=True)


# -- the noise around a least-squares fit ----------------------------------------------------------

def residuals(X, y, w, b: float) -> np.ndarray:
    """y - (X w + b), float64, as a flat array."""
    Xn = _np(X)
    Xn = Xn.reshape(len(Xn), -1)
    return _np(y).reshape(-1) - (Xn @ np.asarray(w, dtype=np.float64).reshape(-1) + float(b))


@dataclass(frozen=True)
class NoiseFit:
    """The least-squares fit and the noise it leaves: residuals, their mean and σ (the Gaussian MLE)."""

    w: tuple[float, ...]
    b: float
    residuals: np.ndarray
    mean: float
    sigma: float  # sqrt(mean(r^2)): the maximum-likelihood σ of Gaussian noise around the fit
    n: int

    @property
    def sse(self) -> float:
        return float(np.sum(self.residuals ** 2))


def fit_noise(X, y) -> NoiseFit:
    """Fit y ≈ X w + b by least squares and describe the residuals."""
    yv = _np(y).reshape(-1)
    if len(yv) < 2:
        raise DataError(key="noise_two_samples")
    opt = least_squares(X, yv)
    r = residuals(X, yv, opt.w, opt.b)
    return NoiseFit(opt.w, opt.b, r, float(r.mean()), float(np.sqrt(np.mean(r ** 2))), len(r))


def histogram(values, bins: int | None = None) -> pd.DataFrame:
    """A density histogram (bar areas sum to 1): columns left, right, density, count."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return pd.DataFrame({"left": [], "right": [], "density": [], "count": []})
    if bins is None:
        bins = int(np.clip(np.ceil(2 * len(v) ** (1 / 3)), 5, MAX_BINS))  # Rice rule
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        pad = max(abs(lo) * 1e-6, 1e-12)
        lo, hi = lo - pad, hi + pad
    counts, edges = np.histogram(v, bins=int(bins), range=(lo, hi))
    density = counts / (len(v) * np.diff(edges))
    return pd.DataFrame({"left": edges[:-1], "right": edges[1:], "density": density, "count": counts})


def gaussian_curve(mu: float, sigma: float, lo: float, hi: float, num: int = 200, label: str = "") -> pd.DataFrame:
    """x, p of N(mu, sigma^2) over [lo, hi] (for drawing over a histogram)."""
    x = np.linspace(lo, hi, num)
    return pd.DataFrame({"x": x, "p": normal_pdf(x, mu, sigma), "label": label or pair_label(mu, sigma)})


# -- the likelihood ------------------------------------------------------------------------------

def negative_log_likelihood(sse, n: int, sigma: float):
    """-log L = n/2 log(2 pi sigma^2) + sse / (2 sigma^2), for Gaussian noise of std sigma."""
    if not (math.isfinite(sigma) and sigma > 0):
        raise ConfigError(key="sigma_positive", value=str(sigma))
    return 0.5 * n * math.log(2 * math.pi * sigma ** 2) + np.asarray(sse, dtype=np.float64) / (2 * sigma ** 2)


def gaussian_nll(X, y, w, b: float, sigma: float) -> float:
    """-sum_i log p(y_i | x_i) with p = N(x_i w + b, sigma^2), summed from the density itself."""
    r = residuals(X, y, w, b)
    return float(-np.sum(np.log(normal_pdf(r, 0.0, sigma))))


def profile_sse(X, y, w_values, j: int = 0) -> np.ndarray:
    """Sum of squared errors as a function of weight j, with b and the other weights at their best.

    By Frisch-Waugh-Lovell: project y and x_j off the other columns [X_-j, 1]; then
    SSE(w_j) = |M y|^2 - 2 w_j (M y . M x_j) + w_j^2 |M x_j|^2, a parabola whose minimum is the
    least-squares w_j.
    """
    A = _design(X)
    d = A.shape[1] - 1
    if not 0 <= j < d:
        raise ConfigError(key="weight_index", hi=d - 1, value=str(j))
    yv = _np(y).reshape(-1)
    others = np.delete(A, j, axis=1)
    q, _ = np.linalg.qr(others)
    my = yv - q @ (q.T @ yv)
    mx = A[:, j] - q @ (q.T @ A[:, j])
    w = np.asarray(w_values, dtype=np.float64)
    sse = my @ my - 2 * w * (my @ mx) + w ** 2 * (mx @ mx)
    return np.maximum(sse, 0.0)


@dataclass(frozen=True)
class LikelihoodCurve:
    """Over a grid of one weight (the rest at their best): the squared loss and the Gaussian NLL."""

    j: int
    w: np.ndarray  # the grid of w_j values; the least-squares w_j is its middle point
    sse: np.ndarray
    mse: np.ndarray  # mean squared error: sse / n
    nll: np.ndarray  # sigma fixed at `sigma`: an increasing affine function of sse
    nll_profile: np.ndarray  # sigma re-estimated at every w (sigma^2 = sse / n): still increasing in sse
    sigma: float
    n: int
    w_ls: float

    def argmin(self, which: str = "nll") -> float:
        """The grid value of w_j that minimises 'nll', 'nll_profile', 'mse' or 'sse'."""
        return float(self.w[int(np.argmin(getattr(self, which)))])

    def frame(self, which: str = "nll") -> pd.DataFrame:
        return pd.DataFrame({"w": self.w, "mse": self.mse, "nll": getattr(self, which)})


def likelihood_curve(X, y, j: int = 0, sigma: float | None = None, num: int = 201,
                     half_width: float | None = None) -> LikelihoodCurve:
    """The squared loss and the Gaussian negative log-likelihood over a grid of weight j.

    sigma: the noise std assumed in the likelihood (default: the residuals' σ at the optimum).
    The grid is centred on the least-squares w_j (an odd num puts it exactly on a grid point).
    """
    fit = fit_noise(X, y)
    w_ls = float(fit.w[j]) if 0 <= j < len(fit.w) else None
    if w_ls is None:
        raise ConfigError(key="weight_index", hi=len(fit.w) - 1, value=str(j))
    sig = fit.sigma if sigma is None else float(sigma)
    if not (math.isfinite(sig) and sig > 0):
        sig = max(fit.sigma, 1e-12)
    if half_width is None:
        half_width = max(1.0, 0.5 * abs(w_ls))
    grid = w_ls + np.linspace(-half_width, half_width, num)
    if num % 2:
        grid[num // 2] = w_ls  # exactly, not up to rounding
    sse = profile_sse(X, y, grid, j)
    n = fit.n
    nll = negative_log_likelihood(sse, n, sig)
    var = np.maximum(sse / n, 1e-300)
    nll_profile = 0.5 * n * np.log(2 * math.pi * var) + 0.5 * n
    return LikelihoodCurve(j, grid, sse, sse / n, nll, nll_profile, sig, n, w_ls)
