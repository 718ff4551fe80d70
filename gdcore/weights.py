"""Saved weights: a run's state_dict as a .pt file, and loading one back safely.

Loading uses `torch.load(..., weights_only=True)`, which unpickles only tensors and plain
containers (never arbitrary objects or code), caps the file size, and checks every key, shape and
value against the run before anything changes.
"""
from __future__ import annotations

import io
import math

import torch

from .errors import DataError

MAX_WEIGHTS_BYTES = 1024 * 1024  # a linear model's state_dict is a few hundred bytes


def save(state: dict[str, torch.Tensor]) -> bytes:
    """`torch.save(state_dict)` into bytes."""
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def load(raw: bytes, expected: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Parse a .pt file and check it against the expected state_dict (same keys, shapes, finite values)."""
    if len(raw) == 0:
        raise DataError(key="weights_empty")
    if len(raw) > MAX_WEIGHTS_BYTES:
        raise DataError(key="weights_too_large", kb=len(raw) / 1024, max_kb=MAX_WEIGHTS_BYTES // 1024)
    try:
        state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - any unpickling failure means: not a plain tensor file
        raise DataError(key="weights_not_state_dict") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise DataError(key="weights_not_dict")
    if set(state) != set(expected):
        have, need = ", ".join(map(str, sorted(state))), ", ".join(sorted(expected))
        if not have:
            raise DataError(key="weights_no_keys", want=need)
        raise DataError(key="weights_keys", got=have, want=need)
    out = {}
    for k, want in expected.items():
        got = state[k]
        if tuple(got.shape) != tuple(want.shape):
            raise DataError(key="weights_shape", name=k, got=str(tuple(got.shape)), want=str(tuple(want.shape)))
        if not got.is_floating_point():
            raise DataError(key="weights_dtype", name=k, dtype=str(got.dtype))
        got = got.to(want.dtype)  # the run's precision: float64 weights keep every digit in a float64 run
        if not all(math.isfinite(v) for v in got.reshape(-1).tolist()):
            raise DataError(key="weights_not_finite", name=k)
        out[k] = got
    return out


def start_values(run, state: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, b) from a checked state_dict of this run's kind."""
    if run.config.impl == "module":
        return state["linear.weight"].reshape(-1), state["linear.bias"].reshape(-1)
    return state["w"].reshape(-1), state["b"].reshape(-1)
