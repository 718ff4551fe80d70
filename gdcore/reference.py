"""Reference math in float64: the least-squares optimum, the Hessian, stability limits, landscapes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def _np(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().double().numpy()
    return np.asarray(t, dtype=np.float64)


def _design(X) -> np.ndarray:
    X = _np(X)
    X = X.reshape(len(X), -1)
    return np.hstack([X, np.ones((len(X), 1))])


@dataclass(frozen=True)
class Optimum:
    """The closed-form least-squares solution and its mean squared error."""

    w: tuple[float, ...]
    b: float
    mse: float

    def loss(self, kind: str = "mse") -> float:
        """The loss at the optimum: mse, or d2l's half squared loss (mse / 2)."""
        return self.mse / 2 if kind == "half_squared" else self.mse


def least_squares(X, y) -> Optimum:
    """argmin over (w, b) of mean((X w + b - y)^2), solved with lstsq on [X, 1]."""
    A = _design(X)
    yv = _np(y).reshape(-1)
    theta, *_ = np.linalg.lstsq(A, yv, rcond=None)
    resid = A @ theta - yv
    return Optimum(tuple(float(v) for v in theta[:-1]), float(theta[-1]), float(np.mean(resid ** 2)))


def hessian(X, loss: str = "mse") -> np.ndarray:
    """Hessian of the mean loss over (w, b): 2/n A^T A for mse, 1/n A^T A for half squared."""
    A = _design(X)
    scale = 1.0 if loss == "half_squared" else 2.0
    return scale * (A.T @ A) / len(A)


def lambda_max(X, loss: str = "mse") -> float:
    """Largest eigenvalue of the loss Hessian (the curvature along the steepest direction)."""
    return float(np.linalg.eigvalsh(hessian(X, loss))[-1])


def stability_limit(X, loss: str = "mse", optimizer: str = "sgd", momentum: float = 0.0) -> float | None:
    """Largest lr for which full-batch gradient descent on this quadratic does not blow up.

    Plain GD: 2/λmax. Heavy-ball momentum β: 2(1+β)/λmax. Nesterov: 2(1+β)/((1+2β) λmax).
    Adaptive methods (AdaGrad, RMSProp, Adam) rescale each step, so no such limit applies: None.
    """
    lam = lambda_max(X, loss)
    if lam <= 0:
        return None
    if optimizer == "sgd":
        return 2.0 / lam
    if optimizer == "momentum":
        return 2.0 * (1 + momentum) / lam
    if optimizer == "nesterov":
        return 2.0 * (1 + momentum) / ((1 + 2 * momentum) * lam)
    return None


def mse(X, y, w, b) -> float:
    """Mean squared error of (w, b) on (X, y), in float64."""
    A = _design(X)
    theta = np.append(_np(w).reshape(-1), float(np.asarray(_np(b)).reshape(-1)[0]))
    return float(np.mean((A @ theta - _np(y).reshape(-1)) ** 2))


def loss_grid(X, y, w_values, b_values, loss: str = "mse") -> np.ndarray:
    """MSE (or half squared loss) of a one-feature line over a grid: result[i, j] at (w_values[j], b_values[i]).

    Evaluated as the quadratic around the optimum (see Bowl), so the cost does not grow with n.
    """
    return bowl(X, y, loss).grid(w_values, b_values)


@dataclass(frozen=True)
class Bowl:
    """The mean squared loss of a one-feature line, as the quadratic it is around its minimum.

    L(w, b) = L* + sxx (w - w*)^2 + 2 sx (w - w*)(b - b*) + sbb (b - b*)^2   (halved for d2l's loss)

    For a one-feature line sbb is 1 (the mean of 1^2); the loss of a wider linear model over any two of
    its parameters, the others held fixed, is a bowl of the same form (gdcore/lessons/linear_regression_features.py).

    Written around (w*, b*), where the linear terms vanish, it keeps its digits near the optimum,
    and six numbers describe the whole landscape: a chart computes its cells in the browser
    instead of receiving a grid on every step.
    """

    w_star: float
    b_star: float
    loss_star: float  # the mean squared error at (w*, b*)
    sxx: float  # mean of x^2
    sx: float  # mean of x
    half: bool = False  # d2l's squared_loss: (y_hat - y)^2 / 2
    sbb: float = 1.0  # mean of the second parameter's column squared (1 for the bias b)

    def at(self, w, b) -> np.ndarray:
        """The loss at (w, b) (arrays broadcast)."""
        dw, db = np.asarray(w, float) - self.w_star, np.asarray(b, float) - self.b_star
        q = self.sxx * dw * dw + 2 * self.sx * dw * db + self.sbb * db * db
        full = np.maximum(self.loss_star + q, 0.0)
        return full / 2 if self.half else full

    def grid(self, w_values, b_values) -> np.ndarray:
        """result[i, j] at (w_values[j], b_values[i]), as loss_grid() lays it out."""
        W, B = np.meshgrid(np.asarray(w_values, float), np.asarray(b_values, float))
        return self.at(W, B)

    def expression(self, w: str = "datum.w", b: str = "datum.b") -> str:
        """The same loss as a Vega expression of two fields (numbers written exactly, as repr does)."""
        dw, db = f"({w} - {self.w_star!r})", f"({b} - {self.b_star!r})"
        full = f"max({self.loss_star!r} + {self.sxx!r}*{dw}*{dw} + " \
               f"{2 * self.sx!r}*{dw}*{db} + {'' if self.sbb == 1.0 else f'{self.sbb!r}*'}{db}*{db}, 0)"
        return f"{full} / 2" if self.half else full


def bowl(X, y, loss: str = "mse") -> Bowl:
    """The landscape of a one-feature line's mean squared (or half squared) loss on (X, y)."""
    x = _np(X)
    if x.reshape(len(x), -1).shape[1] != 1:
        raise ValueError("the loss landscape is drawn for one-feature data")
    x = x.reshape(-1)
    opt = least_squares(X, y)
    return Bowl(opt.w[0], opt.b, opt.mse, float((x * x).mean()), float(x.mean()), loss == "half_squared")


def logistic_loss_grid(X, y, w1_values, w2_values, b: float = 0.0) -> np.ndarray:
    """Mean binary cross-entropy over a (w1, w2) grid at a fixed b, computed stably from logits."""
    Xn, yv = _np(X), _np(y).reshape(-1)
    W1, W2 = np.meshgrid(np.asarray(w1_values, float), np.asarray(w2_values, float))
    z = Xn[:, 0][:, None, None] * W1 + Xn[:, 1][:, None, None] * W2 + b
    # softplus(z) - y z  ==  -(y log σ(z) + (1 - y) log(1 - σ(z)))
    return np.mean(np.logaddexp(0.0, z) - yv[:, None, None] * z, axis=0)


def _span(first: float, rest) -> tuple[float, float]:
    """(min, max) of `first` and the values in `rest`, as Python's min and max give them (NaN included)."""
    values = np.r_[float(first), [] if rest is None else np.asarray(rest, float).reshape(-1)]
    if np.isfinite(values).all():  # the usual case, without a Python float per point
        return float(values.min()), float(values.max())
    return min(values.tolist()), max(values.tolist())


def default_window(opt: Optimum, path_w=None, path_b=None, pad: float = 0.5) -> tuple[tuple, tuple]:
    """A (w range, b range) around the optimum that also contains the given path."""
    (wlo, whi), (blo, bhi) = _span(opt.w[0], path_w), _span(opt.b, path_b)
    dw = max(whi - wlo, 1.0) * pad
    db = max(bhi - blo, 1.0) * pad
    return (wlo - dw, whi + dw), (blo - db, bhi + db)
