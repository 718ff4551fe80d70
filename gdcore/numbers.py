"""Numbers for captions: ordinary values with a fixed number of decimals, blown-up ones compactly.

A diverging run reaches w = -1335447444204290048; printed with four decimals that is a row of
digits nobody can read. These helpers write it as -1.34e18 instead.
"""
from __future__ import annotations

import math

BIG = 1e5  # from here on a value is written in scientific notation


def compact(v: float, digits: int = 3) -> str:
    """`digits` significant digits, with a short exponent when there is one: 1.34e18, 2.5e-7, 0.125."""
    if not math.isfinite(v):
        return "—"
    text = f"{v:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def fixed(v: float, decimals: int = 4) -> str:
    """`decimals` decimals for an ordinary value (2.9601), compact() once it has blown up (-1.34e18)."""
    if not math.isfinite(v):
        return "—"
    if abs(v) >= BIG:
        return compact(v)
    return f"{v:.{decimals}f}"
