"""Floating-point precision: the dtypes a run may use, and how finely each one can resolve a number.

    torch_dtype("float64")        # torch.float64
    ulp(117.7, "float32")         # 7.63e-06: the gap between 117.7 and the next float32

float32 is the tutorials' default (torch's); float64 keeps about 16 digits where float32 keeps 7,
so an update far below a parameter's own size still changes it.
"""
from __future__ import annotations

import numpy as np
import torch

from .errors import ConfigError

DTYPES = ("float32", "float64")  # float32 first: the tutorials' (and torch's) default
DEFAULT_DTYPE = "float32"
_TORCH = {"float32": torch.float32, "float64": torch.float64}
_NUMPY = {"float32": np.float32, "float64": np.float64}


def check_dtype(name: str) -> str:
    """The dtype name itself, or ConfigError with the choices."""
    if name not in DTYPES:
        raise ConfigError(key="choice", name="dtype", value=repr(name), options=", ".join(DTYPES))
    return name


def torch_dtype(name: str) -> torch.dtype:
    """torch.float32 or torch.float64 for a dtype name."""
    return _TORCH[check_dtype(name)]


def numpy_dtype(name: str):
    """numpy.float32 or numpy.float64 for a dtype name."""
    return _NUMPY[check_dtype(name)]


def ulp(value: float, dtype: str) -> float:
    """The spacing of `dtype` at `value`: the smallest change that a number of that size can take.

    numpy.spacing on the value stored in that dtype (what torch.finfo(dtype).eps * 2**exponent gives).
    """
    t = numpy_dtype(dtype)
    return float(np.spacing(np.abs(t(value))))

