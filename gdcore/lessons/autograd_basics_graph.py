"""The computational graph autograd records, as Graphviz DOT, and a tensor's values in a few characters.

`walk` finds every grad_fn node under a tensor by following `grad_fn.next_functions`; `graph_dot`
draws them (tensors as ellipses, grad_fn nodes as boxes, constants as text), forward as the data
flows or backward as autograd walks it. Words come from `labels` (gdcore.i18n.Translator.labels).
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch

from ..i18n import Message, say
from ..i18n import labels as default_labels


def format_number(v: float) -> str:
    """A number in at most six significant digits (inf and nan as Python prints them)."""
    return f"{v:.6g}" if math.isfinite(v) else str(v)


def format_values(t: torch.Tensor | None) -> Message:
    """A tensor's values in a few characters: 'all 3' when every entry is equal, else a list."""
    if t is None:
        return Message.verbatim("None")
    a = t.detach().cpu().double().numpy()
    if a.size and np.all(a == a.reshape(-1)[0]):
        v = format_number(float(a.reshape(-1)[0]))
        return Message.verbatim(v) if a.ndim == 0 else Message.of("autograd_basics.values.all", v=v)
    return Message.verbatim(np.array2string(a, precision=4, separator=", "))


def walk(root: torch.Tensor) -> tuple[list, list]:
    """Every grad_fn node reachable from root.grad_fn (breadth first), and the (parent, i, child) links.

    child is parent.next_functions[i][0]: None for an input that needs no gradient (a constant).
    """
    if root.grad_fn is None:
        return [], []
    nodes, links, seen, queue = [], [], set(), [root.grad_fn]
    while queue:
        fn = queue.pop(0)
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        nodes.append(fn)
        for i, (child, _) in enumerate(fn.next_functions):
            links.append((fn, i, child))
            if child is not None and id(child) not in seen:
                queue.append(child)
    return nodes, links


def _q(text: str) -> str:
    """A DOT string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _tensor_label(name: str, t: torch.Tensor, show_grad: bool, labels: Mapping[str, str]) -> str:
    shape = "×".join(map(str, t.shape)) or labels["autograd_basics.dot.scalar"]
    lines = [name, f"{shape}: {say(labels, format_values(t))}"]
    if t.is_leaf:
        lines.append(f"requires_grad={t.requires_grad}")
    if show_grad:
        grad = t.grad if (t.is_leaf or t.retains_grad) else None
        lines.append(f"grad: {say(labels, format_values(grad))}")
    return "\n".join(lines)


def graph_dot(root: torch.Tensor, tensors: list[tuple[str, torch.Tensor]], ops: dict | None = None,
              consts: dict | None = None, direction: str = "forward", rankdir: str = "TB",
              labels: Mapping[str, str] | None = None) -> str:
    """DOT for the graph under root: tensors as ellipses, grad_fn nodes as boxes, constants as text.

    forward: arrows follow the data (x -> AddBackward0 -> y -> ...). backward: the same picture with
    the arrows reversed, as autograd walks it (out -> out.grad_fn -> next_functions -> ... ->
    AccumulateGrad -> x.grad), each tensor labelled with its grad. tensors names the tensors to show;
    ops maps id(grad_fn) to (forward note, backward note); consts maps id(grad_fn) to the label of its
    constant input. rankdir: TB (top to bottom, inputs on top) or LR. labels: the templates of the
    words (gdcore.i18n.Translator.labels; English by default).
    """
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' or 'LR', got {rankdir!r}")
    ops, consts = ops or {}, consts or {}
    labels = default_labels() if labels is None else labels
    back = direction == "backward"
    out = ["digraph autograd {", f"  rankdir={rankdir};", "  nodesep=0.3;", "  ranksep=0.3;",
           '  bgcolor="transparent";',
           '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];']
    nodes, links = walk(root)
    if not nodes:  # nothing was recorded (requires_grad=False): the tensors, and no ops between them
        shown = list(tensors) or [("out", root)]
        for i, (name, t) in enumerate(shown):
            label = _tensor_label(name, t, False, labels) + "\ngrad_fn=None"
            out.append(f'  t{i} [label={_q(label)}, shape=ellipse, style=filled, fillcolor="#eeeeee"];')
            if i:
                out.append(f'  t{i - 1} -> t{i} [style=dotted, arrowhead=none, color="#999999"];')
        note = _q(labels["autograd_basics.dot.no_graph"])
        out.append(f'  note [shape=note, style=filled, fillcolor="#fff4d6", label={note}];')
        out.append("}")
        return "\n".join(out)

    edge = ('color="#d62728", dir=back' if back else 'color="#333333"')
    key_of = {id(fn): f"f{i}" for i, fn in enumerate(nodes)}
    name_of = {id(t): n for n, t in tensors}
    made_by = {id(t.grad_fn): t for _, t in tensors if t.grad_fn is not None}
    made_by.setdefault(id(root.grad_fn), root)
    feeds = {}  # id(fn) -> the DOT node whose value (forward) or grad (backward) flows into fn's users

    def tensor_node(key: str, t: torch.Tensor, leaf: bool) -> None:
        label = _tensor_label(name_of.get(id(t), "tensor"), t, back, labels)
        out.append(f'  {key} [label={_q(label)}, shape=ellipse, style=filled, '
                   f'fillcolor="{"#cfe2f3" if leaf else "#eeeeee"}"];')

    for fn in nodes:
        key = key_of[id(fn)]
        fname = type(fn).__name__
        if fname == "AccumulateGrad":  # the leaf: the node that adds the incoming grad into x.grad
            tkey = f"leaf_{key}"
            tensor_node(tkey, fn.variable, True)
            if back:
                accumulate = _q("AccumulateGrad" + chr(10) + labels["autograd_basics.dot.accumulate"])
                out.append(f'  {key} [label={accumulate}, '
                           f'shape=box, style="rounded,filled", fillcolor="#f4cccc"];')
                out.append(f"  {tkey} -> {key} [{edge}];")
            feeds[id(fn)] = key if back else tkey
            continue
        fwd, bwd = ops.get(id(fn), ("", ""))
        label = fname + ("\n" + (bwd if back else fwd) if (bwd if back else fwd) else "")
        out.append(f'  {key} [label={_q(label)}, shape=box, style="rounded,filled", fillcolor="#fde9c9"];')
        t = made_by.get(id(fn))
        if t is None:
            feeds[id(fn)] = key
            continue
        tkey = f"t_{key}"
        tensor_node(tkey, t, False)
        out.append(f"  {key} -> {tkey} [{edge}];")
        feeds[id(fn)] = tkey
    for parent, i, child in links:
        pkey = key_of[id(parent)]
        if child is None:
            ckey = f"c_{pkey}_{i}"
            const = _q(consts.get(id(parent), labels["autograd_basics.dot.constant"]))
            out.append(f"  {ckey} [label={const}, shape=plaintext];")
            extra = f", dir=back, label={_q(' ' + labels['autograd_basics.dot.no_grad'])}" if back else ""
            out.append(f'  {ckey} -> {pkey} [style=dashed, color="#999999"{extra}];')
        else:
            out.append(f"  {feeds[id(child)]} -> {pkey} [{edge}];")
    out.append("}")
    return "\n".join(out)
