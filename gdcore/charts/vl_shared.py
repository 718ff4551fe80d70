"""What a layered spec says once: the layers of one chart share their scales.

A layered Vega-Lite chart's layers share one scale per channel (its default resolve), and a property
given explicitly in one layer holds for the shared scale. The landscape's six layers each name the
window's domain for x and y; saying it once draws the same chart for fewer bytes on every Step.
"""
from __future__ import annotations


def shared_scales_once(layers: list[dict]) -> list[dict]:
    """The layers with a channel's `scale` kept only in the first layer that gives it, where every
    layer that gives one gives the same dict. A channel whose layers give different scales, or a null
    scale (none at all), keeps every one as it is: there the merge would be Vega-Lite's to decide."""
    scales: dict[str, list] = {}
    for node in layers:
        for channel, d in _encoding(node).items():
            if isinstance(d, dict) and "scale" in d:
                scales.setdefault(channel, []).append(d["scale"])
    once = {c for c, given in scales.items()
            if len(given) > 1 and all(isinstance(s, dict) and s == given[0] for s in given)}
    seen: set[str] = set()
    out = []
    for node in layers:
        enc = _encoding(node)
        given = {c for c, d in enc.items() if c in once and isinstance(d, dict) and "scale" in d}
        drop, seen = given & seen, seen | given
        if drop:
            node = {**node, "encoding": {c: ({k: v for k, v in d.items() if k != "scale"} if c in drop else d)
                                         for c, d in enc.items()}}
        out.append(node)
    return out


def _encoding(node: dict) -> dict:
    enc = node.get("encoding")
    return enc if isinstance(enc, dict) else {}
