"""When rounding, not the learning rate, sets the pace: what the linear-regression page says instead of
"about N steps for each 10x closer" once float32 (or float64) can take the run no further."""
from __future__ import annotations

from ..i18n import Message
from ..precision import ulp
from ..reference import Optimum

RESOLVED_ULPS = 4  # within this many spacings of the optimum, the dtype cannot get meaningfully closer


def rounding_note(stall, params: dict[str, list[float]], optimum: Optimum, dtype: str) -> Message | None:
    """A sentence replacing the pace estimate once rounding rules (None while the estimate holds).

    Rounding rules when the run has stalled (`stall`, from gdcore/stall.py), or when every parameter is
    already within RESOLVED_ULPS spacings of its least-squares value: a 10x smaller distance would be
    below what the dtype can hold.
    """
    if stall is not None:
        return Message.of("linear_regression.lr.sentence.pace_stalled", step=f"{stall.step:,}", dtype=stall.dtype)
    values = list(params["w"]) + list(params["b"])
    stars = list(optimum.w) + [optimum.b]
    spacings = [ulp(s, dtype) for s in stars]
    if all(abs(v - s) <= RESOLVED_ULPS * u for v, s, u in zip(values, stars, spacings)):
        return Message.of("linear_regression.lr.sentence.pace_resolved", dtype=dtype, ulp=f"{max(spacings):.2g}")
    return None
