"""Small data sets where float32 gradient descent stalls by rounding, made from a fixed numpy seed.

`bmi_like()` has the property of the diabetes data's raw BMI against its target (no download here):
x around 26.8 kg/m² with a spread of 4.2, y about 157 ± 76, 442 rows; its least-squares line
is set to y = 10.233 x - 117.773367 (the residuals are kept orthogonal to [x, 1], so lstsq on the
float64 values returns exactly that line, and on the float32 values a line within 1e-4 of it).
"""
from __future__ import annotations

import numpy as np
import torch

from gdcore.data import Dataset

TARGET = (10.233, -117.773367)  # (w*, b*) the generator aims at


def bmi_like(n: int = 442, mean: float = 26.4, spread: float = 4.4, seed: int = 442) -> Dataset:
    """Raw-BMI-like x, a diabetes-like target y (float32 tensors, as an upload gives them)."""
    rng = np.random.default_rng(seed)
    x = np.round(mean + spread * rng.standard_normal(n), 1)
    noise = 62.0 * rng.standard_normal(n)
    A = np.c_[x, np.ones(n)]
    resid = noise - A @ np.linalg.lstsq(A, noise, rcond=None)[0]  # orthogonal to the columns of A
    y = A @ np.array(TARGET) + resid
    return Dataset(torch.tensor(x, dtype=torch.float32).reshape(-1, 1),
                   torch.tensor(y, dtype=torch.float32).reshape(-1, 1), ("bmi",), label_name="y")


def to_csv(ds: Dataset) -> bytes:
    """The data set as an upload would carry it."""
    return ds.to_csv().encode()
