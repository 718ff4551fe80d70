"""Evaluate a generated chart layer's sequence and calculate transforms the way the browser would.

Only for charts this project generates: their expressions use numbers, datum fields, + - * / %,
floor, max and exp, which Python reads the same way once `datum` is a namespace.
"""
import math
from types import SimpleNamespace


def rows(layer: dict, spec: dict) -> list[dict]:
    """The rows a sequence-generated layer draws, with every calculated field."""
    seq = (layer.get("data") or spec["data"])["sequence"]  # Altair may lift a lone layer's data up
    out = [{seq.get("as", "data"): k} for k in range(seq["start"], seq["stop"])]
    names = {"__builtins__": {}}
    for step in layer.get("transform", []):
        for row in out:
            row[step["as"]] = eval(step["calculate"], names,  # noqa: S307 (our own generated spec)
                                   {"datum": SimpleNamespace(**row), "floor": math.floor, "max": max, "exp": math.exp})
    return out
