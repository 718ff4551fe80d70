"""gdcore.lessons.autograd_basics_graph: the graph autograd records, found and drawn, and tensor values in a few
characters."""
from __future__ import annotations

import torch

from gdcore.i18n import translator
from gdcore.lessons.autograd_basics import AutogradDemo
from gdcore.lessons.autograd_basics_graph import format_values, graph_dot, walk

EN = translator("en")


def test_walk_finds_the_tutorials_graph():
    d = AutogradDemo()
    nodes, links = walk(d.out)
    assert [type(f).__name__ for f in nodes] == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0",
                                                 "AccumulateGrad"]
    assert nodes[-1].variable is d.x
    assert sum(1 for _, _, c in links if c is None) == 2  # the constants 3 and 2
    assert len(links) == 7  # mean->mul, mul->(mul, 3), mul->(add, add), add->(acc, 2)


def test_graph_dot_escapes_labels():
    x = torch.ones(1, requires_grad=True)
    out = (x * 2).sum()
    dot = graph_dot(out, [("x \"quoted\"", x), ("out", out)])
    assert '\\"quoted\\"' in dot


def test_format_values():
    assert EN(format_values(torch.ones(2, 2))) == "all 1"
    assert EN(format_values(torch.tensor(27.0))) == "27"
    assert EN(format_values(None)) == "None"
    assert EN(format_values(torch.tensor([1.0, 2.0]))).startswith("[1")
