"""What a layered spec says once: the layers of one chart share their scales, and their positions.

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


def shared_channels(layers: list[dict], channels: tuple[str, ...] = ("x", "y")) -> tuple[dict, list[dict]]:
    """A position channel said once, in the chart's top-level encoding, where every layer draws the same
    field of the same type on it (the landscape's w and b): (that encoding, the layers).

    A layer that gives only that field and type leaves the channel to the top level and inherits it;
    one that says more (a title, a scale: the first layer) keeps its own, the same field, and a layer
    nested in one (the arrow's head at its end) draws what it gives itself, as before."""
    top: dict = {}
    out = list(layers)
    for channel in channels:
        defs = [_encoding(node).get(channel) for node in out]
        if not defs or not all(isinstance(d, dict) and "field" in d and "type" in d for d in defs):
            continue
        if len({(repr(d["field"]), d["type"]) for d in defs}) != 1:
            continue
        plain = {"field": defs[0]["field"], "type": defs[0]["type"]}
        if sum(d == plain for d in defs) < 2:
            continue  # nothing to say once
        top[channel] = plain
        out = [_without(node, channel) if d == plain else node for node, d in zip(out, defs)]
    return top, out


def _without(node: dict, channel: str) -> dict:
    enc = {c: d for c, d in _encoding(node).items() if c != channel}
    node = {k: v for k, v in node.items() if k != "encoding"}
    if enc:
        node["encoding"] = enc
    return node
