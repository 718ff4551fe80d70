"""Feature scaling: standardise each feature (z-score), train, and map w and b back to the raw units.

Standardising replaces every feature x_j by z_j = (x_j - mean_j) / sd_j, with the mean and the
standard deviation (population form: divided by n) of the training data. A line on z is the same
line on x:

    y_hat = sum_j w_s_j z_j + b_s = sum_j (w_s_j / sd_j) x_j + (b_s - sum_j w_s_j mean_j / sd_j)

so w_raw_j = w_s_j / sd_j and b_raw = b_s - sum_j w_raw_j mean_j, exactly. A feature that does not
vary (sd 0) is only centred (its sd is read as 1): dividing by 0 would lose it.

The numbers are computed with torch in float64, operation by operation as an exported script writes
them (gdcore/codegen), so the script scales and maps back to the same bits as the engine.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch

from . import reference
from .config import SCALINGS  # noqa: F401 (none: the raw features; standard: z-scores)
from .data import Dataset


@dataclass(frozen=True, eq=False)
class Scaler:
    """Per-feature mean and standard deviation (float64 tensors of shape (d,)); sd 0 is stored as 1."""

    mean: torch.Tensor
    sd: torch.Tensor

    def transform(self, X: torch.Tensor) -> torch.Tensor:
        """(X - mean) / sd, computed in float64, returned in X's own dtype."""
        return ((X.double() - self.mean) / self.sd).to(X.dtype)

    def to_raw(self, w, b) -> tuple[list[float], float]:
        """(w, b) trained on the z-scores as (w, b) of the same line on the raw features."""
        w_raw = torch.as_tensor(w, dtype=torch.float64).reshape(-1) / self.sd
        b_raw = torch.as_tensor(b, dtype=torch.float64).reshape(-1) - (w_raw * self.mean).sum()
        return [float(v) for v in w_raw], float(b_raw[0])


def fit(X) -> Scaler:
    """The training data's per-feature mean and population standard deviation (float64)."""
    X = torch.as_tensor(X)
    X = X.reshape(len(X), -1).double()
    mean = X.mean(0)
    sd = X.std(0, correction=0)
    sd[sd == 0] = 1.0
    return Scaler(mean, sd)


def apply(scaling: str, data: Dataset) -> tuple[Dataset, Scaler | None]:
    """The data set the run trains on (features standardised with the training data's mean and std,
    the validation rows with the same numbers) and the scaler; (data, None) when scaling is 'none'."""
    if scaling == "none":
        return data, None
    scaler = fit(data.X)
    X_val = None if data.X_val is None else scaler.transform(data.X_val)
    return replace(data, X=scaler.transform(data.X), X_val=X_val), scaler


def raw_params(run) -> dict[str, list[float]]:
    """A run's current (w, b) on the raw features: run.params() itself when it trains unscaled."""
    p = run.params()
    scaler = getattr(run, "scaler", None)
    if scaler is None:
        return p
    w, b = scaler.to_raw(p["w"], p["b"])
    return {"w": w, "b": [b]}


# -- what scaling does to the loss surface ----------------------------------------------------------

@dataclass(frozen=True)
class Conditioning:
    """The curvatures of the mean squared loss over (w, b) and what they imply for gradient descent."""

    lambda_max: float  # largest eigenvalue of the Hessian: the steepest direction
    lambda_min: float  # smallest: the flattest direction (0 when the optimum is not unique)
    limit: float | None  # 2 / lambda_max: full-batch GD diverges above this lr

    @property
    def condition(self) -> float:
        """lambda_max / lambda_min: how much narrower the valley is than it is long (inf when flat)."""
        return self.lambda_max / self.lambda_min if self.lambda_min > 0 else math.inf


def conditioning(X, loss: str = "mse") -> Conditioning:
    """Hessian eigenvalues (float64) and the stability limit of the loss on features X."""
    eig = np.linalg.eigvalsh(reference.hessian(X, loss))
    lam_min, lam_max = max(float(eig[0]), 0.0), float(eig[-1])
    tiny = 1e-12 * max(lam_max, 1e-300)  # rounding noise of a singular Hessian is not a curvature
    return Conditioning(lam_max, lam_min if lam_min > tiny else 0.0, 2.0 / lam_max if lam_max > 0 else None)


def before_after(X, loss: str = "mse") -> tuple[Conditioning, Conditioning]:
    """(raw, standardised) conditioning of the same data: what the switch changes.

    The standardised features are computed in float64 here (not rounded to float32), so one z-scored
    feature gives exactly the closed form: Hessian 2 I, condition number 1, stability limit 1.
    """
    Xd = torch.as_tensor(X).double()
    Xd = Xd.reshape(len(Xd), -1)
    scaler = fit(Xd)
    return conditioning(Xd, loss), conditioning((Xd - scaler.mean) / scaler.sd, loss)
