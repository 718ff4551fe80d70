"""gdcore.lessons.autograd_basics against the calculus: d(out)/dx = 6 (x + 2) / n (= 3 (x + 2) / 2 for 2x2)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gdcore.errors import ConfigError
from gdcore.i18n import translator
from gdcore.lessons.autograd_basics import MAX_EVENTS, AutogradDemo, data_vs_detach, numpy_demo, x_code
from gdcore.lessons.autograd_basics_graph import format_values

EN = translator("en")


def analytic(fill: float, n: int) -> float:
    return 6.0 * (fill + 2.0) / n


def test_tutorial_values():
    d = AutogradDemo()  # x = torch.ones(2, 2, requires_grad=True)
    rows = {t["name"]: t for t in d.tensors()}
    assert rows["x"]["value"] == [[1.0, 1.0], [1.0, 1.0]] and rows["x"]["is_leaf"] and rows["x"]["grad_fn"] is None
    assert rows["y"]["value"] == [[3.0, 3.0], [3.0, 3.0]] and rows["y"]["grad_fn"] == "AddBackward0"
    assert rows["z"]["grad_fn"] == "MulBackward0" and rows["z"]["value"][0][0] == 27.0
    assert rows["out"]["grad_fn"] == "MeanBackward0" and rows["out"]["value"] == 27.0
    assert rows["x"]["code"] == "x = torch.ones(2, 2, requires_grad=True)"
    assert d.x.grad is None and d.snapshot()["x_grad"] is None


@pytest.mark.parametrize("fill,rows,cols", [(1.0, 2, 2), (3.0, 2, 2), (-2.5, 1, 3), (0.25, 4, 4)])
def test_backward_matches_analytic_gradient(fill, rows, cols):
    d = AutogradDemo(fill, rows, cols)
    assert d.backward() is None
    want = analytic(fill, rows * cols)
    np.testing.assert_allclose(d.x.grad.numpy(), np.full((rows, cols), want), rtol=1e-6)
    np.testing.assert_allclose(d.analytic_grad(), np.full((rows, cols), want), rtol=1e-12)
    assert d.grad_matches() is True


def test_two_by_two_is_three_halves_of_x_plus_two():
    d = AutogradDemo(1.0)
    d.backward()
    assert d.x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]  # 3 (1 + 2) / 2


def test_gradients_accumulate_and_zeroing_resets():
    d = AutogradDemo(1.0)
    d.backward()
    d.backward()  # builds the graph again, then adds into x.grad
    assert d.forward_count == 2 and d.backward_count == 2
    assert d.x.grad.tolist() == [[9.0, 9.0], [9.0, 9.0]]
    assert d.grad_matches() is True
    d.backward()
    assert d.x.grad[0, 0].item() == pytest.approx(13.5)
    d.zero_grad()
    assert d.x.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]] and d.backward_count == 0
    assert d.grad_matches() is True
    d.backward()
    assert d.x.grad[0, 0].item() == pytest.approx(4.5)
    assert [e["x_grad"] for e in d.events] == [4.5, 9.0, 13.5, 0.0, 4.5]
    assert [e["expected"] for e in d.events] == [4.5, 9.0, 13.5, 0.0, 4.5]
    assert d.events[3]["action"] == "x.grad.zero_()"


def test_intermediate_grads_follow_the_chain_rule():
    d = AutogradDemo(1.0)
    d.backward()
    rows = {t["name"]: t for t in d.tensors()}
    assert rows["out"]["grad"] == 1.0
    assert rows["z"]["grad"][0][0] == pytest.approx(0.25)  # d mean / dz = 1/4
    assert rows["y"]["grad"][0][0] == pytest.approx(4.5)  # 1/4 * 3 * 2y
    d.backward()  # a fresh y: its grad does not accumulate, x.grad does
    rows = {t["name"]: t for t in d.tensors()}
    assert rows["y"]["grad"][0][0] == pytest.approx(4.5) and rows["x"]["grad"][0][0] == pytest.approx(9.0)


def test_backward_twice_on_the_same_graph_is_refused():
    d = AutogradDemo()
    assert d.backward_same_graph() is None  # the first use of a fresh graph is fine
    msg = d.backward_same_graph()
    assert "second time" in msg
    assert d.backward_count == 1 and d.x.grad[0, 0].item() == pytest.approx(4.5)


def test_requires_grad_false_records_nothing():
    d = AutogradDemo(1.0, requires_grad=False)
    assert all(t["grad_fn"] is None for t in d.tensors())
    msg = d.backward()
    assert "does not require grad" in msg
    snap = d.snapshot()
    assert snap["x_grad"] is None and snap["matches"] is None and snap["last_error"] == msg
    dot = d.dot()
    assert "no graph recorded" in dot and "Backward" not in dot
    assert x_code(1.0, 2, 2, False) == "x = torch.ones(2, 2)"


def test_dot_forward_and_backward():
    d = AutogradDemo()
    fwd = d.dot("forward")
    assert fwd.startswith("digraph") and fwd.rstrip().endswith("}") and fwd.count("{") == fwd.count("}")
    for name in ("MeanBackward0", "MulBackward0", "AddBackward0", "x + 2", "y * y", "z.mean()"):
        assert name in fwd
    assert "AccumulateGrad" not in fwd and "dir=back" not in fwd
    assert fwd.count("t_f3 -> f2") == 2  # y feeds y * y twice
    assert 'label="2"' in fwd and 'label="3"' in fwd
    d.backward()
    bwd = d.dot("backward")
    assert "AccumulateGrad" in bwd and "dir=back" in bwd
    assert "grad: all 4.5" in bwd and "grad: all 0.25" in bwd and "grad: 1" in bwd
    assert "rankdir=LR" in d.dot("forward", rankdir="LR")
    with pytest.raises(ValueError):
        d.dot("sideways")


@pytest.mark.parametrize("kwargs", [dict(fill=float("inf")), dict(fill=1e7), dict(rows=0), dict(cols=5),
                                    dict(rows=2.0)])
def test_bad_settings_are_one_sentence(kwargs):
    with pytest.raises(ConfigError):
        AutogradDemo(**kwargs)


def test_events_are_bounded():
    d = AutogradDemo()
    for _ in range(MAX_EVENTS + 5):
        d.backward()
    assert len(d.events) == MAX_EVENTS and d.events[-1]["x_grad"] == pytest.approx(4.5 * (MAX_EVENTS + 5))


def test_data_vs_detach():
    r = EN.record(data_vs_detach(1.0, 2, 2))
    det, dat = r["detach"], r["data"]
    assert det["shares_storage"] and dat["shares_storage"]
    assert not det["alias_requires_grad"] and not dat["alias_requires_grad"]
    assert det["y_after"] == dat["y_after"] == "all 0"  # both zeroed y itself
    assert det["version_after"] == det["version_before"] + 1 and dat["version_after"] == dat["version_before"]
    assert "modified by an inplace operation" in det["error"] and det["x_grad"] is None
    assert dat["error"] is None and dat["x_grad"] == "all 0"  # silently wrong
    assert dat["correct_grad"] == det["correct_grad"] == "all 4.5"


def test_numpy_demo():
    r = EN.record(numpy_demo(2.0, 2, 2))
    assert "detach().numpy()" in r["error"]
    assert r["shares_memory"] and r["dtype"] == "float32" and r["x00_after_write"] == 100.0
    assert "requires_grad=True" in r["x_printed"]


def test_no_global_rng_use():
    state = torch.random.get_rng_state()
    d = AutogradDemo(3.0, 3, 3)
    d.backward()
    data_vs_detach()
    numpy_demo()
    assert torch.equal(state, torch.random.get_rng_state())


def test_texts_in_chinese_and_the_link_fields():
    from gdcore.lessons.autograd_basics import FILL_LIMIT, HIDE_GROUPS, LINK_FIELDS, MAX_SIDE, VIEWS
    zh = translator("zh")
    assert zh(format_values(torch.ones(2, 2))) == "全为 1"
    assert zh(format_values(torch.tensor(27.0))) == "27"  # a scalar has no words
    d = AutogradDemo(1.0, 2, 2)
    d.backward()
    snap = zh.record(d.snapshot())
    assert snap["x_grad_shown"] == "全为 4.5" and snap["x_grad"] == [[4.5, 4.5], [4.5, 4.5]]  # values unchanged
    bwd = d.dot("backward", labels=zh.labels)
    assert "grad: 全为 4.5" in bwd and "无梯度" in bwd and "AccumulateGrad\\nx.grad += 传入的梯度" in bwd
    assert d.dot("backward") == d.dot("backward", labels=EN.labels)  # English by default
    off = AutogradDemo(1.0, 2, 2, requires_grad=False).dot(labels=zh.labels)
    assert "没有记录计算图" in off and "no graph recorded" not in off
    assert zh(data_vs_detach(1.0, 2, 2)["data"]["correct_grad"]) == "全为 4.5"
    assert zh(numpy_demo(2.0, 2, 2)["x_after_write"]).startswith("[[100")
    # the link's ranges and choices are the page's widgets' own
    by_name = {f.name: f for f in LINK_FIELDS}
    assert (by_name["fill"].lo, by_name["fill"].hi) == (-FILL_LIMIT, FILL_LIMIT)
    assert (by_name["rows"].lo, by_name["rows"].hi) == (by_name["cols"].lo, by_name["cols"].hi) == (1, MAX_SIDE)
    assert by_name["view"].choices == VIEWS == ("forward", "backward")
    assert all(translator(lang).has(f"autograd_basics.groups.{g}") for g in HIDE_GROUPS for lang in ("en", "zh"))


def test_numpy_demo_without_requires_grad_needs_no_detach():
    r = numpy_demo(2.0, 2, 2, requires_grad=False)
    assert r["error"] is None and r["shares_memory"] and r["x00_after_write"] == 100.0
    assert numpy_demo(2.0, 2, 2)["error"]  # with requires_grad (the default), x.numpy() is refused
