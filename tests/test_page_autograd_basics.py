"""AppTest for pages/views/autograd_basics.py: backward, accumulation, zeroing, requires_grad, page switches."""
from __future__ import annotations

import pytest
from apptest_util import away_and_back, open_link, open_page

PAGE = "pages/views/autograd_basics.py"
STATE = "_autograd_basics.demo"


@pytest.fixture
def at():
    return open_page(PAGE)


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_backward_accumulates_and_zero_resets(at):
    demo = at.session_state[STATE]
    assert demo.settings == (1.0, 2, 2, True) and demo.x.grad is None
    assert metric(at, "x.grad") == "None"

    at.button(key="b.autograd_basics.backward").click().run()
    assert not at.exception
    assert at.session_state[STATE].x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]  # 3 (x + 2) / 2
    assert metric(at, "x.grad") == "all 4.5" and metric(at, "one pass: 6(x+2)/4") == "all 4.5"
    assert any("agrees with the calculus" in s.value for s in at.success)

    at.button(key="b.autograd_basics.backward").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == 9.0
    assert metric(at, "x.grad") == "all 9" and metric(at, "backward passes since zero") == "2"
    assert any("Gradients accumulate" in w.value for w in at.warning)

    at.button(key="b.autograd_basics.zero").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == 0.0
    assert metric(at, "x.grad") == "all 0"

    at.button(key="b.autograd_basics.same").click().run()  # fresh graph: allowed once
    at.button(key="b.autograd_basics.same").click().run()  # the same graph again: refused, shown as text
    assert not at.exception
    assert any("second time" in e.value for e in at.error)

    # the .data / .detach() demo shows autograd's version-counter error as text
    assert any("modified by an inplace operation" in e.value for e in at.error)
    assert any("Can't call numpy()" in e.value for e in at.error)


def test_fill_value_preset_and_requires_grad(at):
    at.number_input(key="w.autograd_basics.fill").set_value(3.0).run()
    at.button(key="b.autograd_basics.backward").click().run()
    demo = at.session_state[STATE]
    assert demo.settings == (3.0, 2, 2, True)
    assert demo.x.grad[0, 0].item() == pytest.approx(7.5)  # 3 (3 + 2) / 2

    at.number_input(key="w.autograd_basics.rows").set_value(3).run()
    at.button(key="b.autograd_basics.backward").click().run()
    assert at.session_state[STATE].x.grad[0, 0].item() == pytest.approx(6 * 5 / 6)  # 6 (x + 2) / n, n = 6

    at.toggle(key="w.autograd_basics.requires_grad").set_value(False).run()
    at.button(key="b.autograd_basics.backward").click().run()
    assert not at.exception
    assert any("does not require grad" in e.value for e in at.error)
    assert at.session_state[STATE].tensors()[1]["grad_fn"] is None

    at.button(key="b.autograd_basics.preset").click().run()
    assert at.number_input(key="w.autograd_basics.fill").value == 1.0
    assert at.number_input(key="w.autograd_basics.rows").value == 2
    assert at.toggle(key="w.autograd_basics.requires_grad").value is True
    assert at.session_state[STATE].settings == (1.0, 2, 2, True)


def test_state_survives_a_page_switch(at):
    at.number_input(key="w.autograd_basics.fill").set_value(2.0).run()
    at.radio(key="w.autograd_basics.view").set_value("backward").run()
    at.button(key="b.autograd_basics.backward").click().run()
    at.button(key="b.autograd_basics.backward").click().run()
    away_and_back(at, PAGE)
    demo = at.session_state[STATE]
    assert demo.settings == (2.0, 2, 2, True) and demo.backward_count == 2
    assert demo.x.grad[0, 0].item() == pytest.approx(12.0)  # 2 passes x 3 (2 + 2) / 2
    assert at.radio(key="w.autograd_basics.view").value == "backward"


# -- share links, instructor locks, language ------------------------------------------------------

from gdcore.i18n import translator  # noqa: E402
from gdcore.lessons.autograd_basics import LINK_FIELDS, AutogradDemo, data_vs_detach  # noqa: E402


def _settings(app) -> tuple:
    return app.session_state[STATE].settings


def _graph(app) -> str:
    return app.get("graphviz_chart")[0].proto.spec


def test_link_sets_the_widgets_and_the_numbers_match_a_direct_demo():
    at = open_link(PAGE, {"fill": "0.5", "rows": "3", "cols": "1", "requires_grad": "1", "view": "backward"})
    assert not at.exception, at.exception
    assert at.number_input(key="w.autograd_basics.fill").value == 0.5
    assert at.number_input(key="w.autograd_basics.rows").value == 3
    assert at.number_input(key="w.autograd_basics.cols").value == 1
    assert at.toggle(key="w.autograd_basics.requires_grad").value is True
    assert at.radio(key="w.autograd_basics.view").value == "backward"
    assert _settings(at) == (0.5, 3, 1, True)
    assert not at.warning  # nothing in the link was refused
    # the address bar holds the canonical link: the same values, written back
    assert dict(at.query_params) == {"fill": "0.5", "rows": "3", "cols": "1", "requires_grad": "1",
                                     "view": "backward"}

    at.button(key="b.autograd_basics.backward").click().run()
    at.button(key="b.autograd_basics.backward").click().run()
    assert not at.exception
    ref = AutogradDemo(0.5, 3, 1, True)  # the same settings, built directly
    ref.backward()
    ref.backward()
    snap = translator("en").record(ref.snapshot())
    assert at.session_state[STATE].x.grad.tolist() == ref.x.grad.tolist() == [[10.0], [10.0], [10.0]]
    # tutorial arithmetic: 2 passes × 6 (0.5 + 2) / 3 = 10
    assert metric(at, "x.grad") == snap["x_grad_shown"] == "all 10"
    assert metric(at, "one pass: 6(x+2)/3") == snap["analytic_shown"] == "all 5"
    assert metric(at, "expected x.grad") == snap["expected_shown"] == "all 10"
    assert metric(at, "backward passes since zero") == "2"
    table = at.dataframe[0].value
    assert list(table["value"]) == [t["shown"] for t in snap["tensors"]]
    assert list(table["grad_fn"]) == [t["grad_fn"] or "None" for t in snap["tensors"]]
    assert _graph(at) == ref.dot("backward")
    dd = translator("en").record(data_vs_detach(0.5, 3, 1))
    assert any(dd["data"]["x_grad"] in e.value and dd["data"]["correct_grad"] in e.value for e in at.error)


def test_link_round_trip_through_the_written_address():
    at = open_link(PAGE, {"fill": "-1.5", "rows": "2", "cols": "4"})
    at.toggle(key="w.autograd_basics.requires_grad").set_value(False).run()
    at.number_input(key="w.autograd_basics.fill").set_value(2.25).run()
    assert not at.exception
    written = dict(at.query_params)
    assert written == {"fill": "2.25", "rows": "2", "cols": "4", "requires_grad": "0", "view": "forward"}
    again = open_link(PAGE, written)  # a fresh session opening the shared link
    assert not again.exception
    assert _settings(again) == (2.25, 2, 4, False)
    assert again.toggle(key="w.autograd_basics.requires_grad").value is False
    assert dict(again.query_params) == written
    assert _graph(again) == AutogradDemo(2.25, 2, 4, False).dot("forward")


def test_malformed_link_values_are_listed_and_defaults_used():
    at = open_link(PAGE, {"fill": "abc", "rows": "9", "cols": "2.5", "requires_grad": "maybe",
                          "view": "sideways", "foo": "1"})
    assert not at.exception, at.exception
    assert _settings(at) == (1.0, 2, 2, True)
    assert at.radio(key="w.autograd_basics.view").value == "forward"
    note = "\n".join(w.value for w in at.warning)
    for bad in ("`fill=abc` is not a number", "`rows=9` is outside the allowed range 1 to 4",
                "`cols=2.5` is not a whole number", "`requires_grad=maybe` is not 1 or 0",
                "`view=sideways` is not one of the choices (forward, backward)", "`foo` is not a setting"):
        assert bad in note, (bad, note)
    # a good value next to bad ones is still used
    at = open_link(PAGE, {"fill": "1e9", "rows": "4"})
    assert _settings(at) == (1.0, 4, 2, True)
    assert "`fill=1e9` is outside the allowed range" in "\n".join(w.value for w in at.warning)


def test_instructor_hides_groups_and_lock_hides_the_preset():
    at = open_link(PAGE, {"fill": "3", "rows": "1", "cols": "3", "requires_grad": "1", "view": "backward",
                          "hide": "x,requires_grad,view"})
    assert not at.exception, at.exception
    keys = {w.key for w in (*at.number_input, *at.toggle, *at.radio)}
    assert not keys & {f.key for f in LINK_FIELDS}  # none of the hidden widgets is drawn
    assert at.button(key="b.autograd_basics.preset")  # not locked: the tutorial's-x button stays
    assert any("instructor" in i.value for i in at.info)
    assert _settings(at) == (3.0, 1, 3, True)  # the run uses the link's hidden values
    at.button(key="b.autograd_basics.backward").click().run()
    assert at.session_state[STATE].x.grad.tolist() == [[10.0, 10.0, 10.0]]  # 6 (3 + 2) / 3
    assert _graph(at) == at.session_state[STATE].dot("backward")  # the hidden view choice still applies
    assert dict(at.query_params)["hide"] == "x,requires_grad,view"

    at = open_link(PAGE, {"fill": "2", "lock": "1"})
    assert not at.exception
    assert "b.autograd_basics.preset" not in {b.key for b in at.button}
    assert at.number_input(key="w.autograd_basics.fill").value == 2.0
    assert dict(at.query_params)["lock"] == "1"


def test_chinese_page():
    at = open_link(PAGE, {"lang": "zh", "fill": "0.5", "rows": "3", "cols": "1"})
    assert not at.exception, at.exception
    zh = translator("zh")
    assert at.title[0].value.endswith(zh("autograd_basics.title")) and "自动求导" in at.title[0].value
    assert at.session_state["w.lang"] == "zh"
    at.radio(key="w.autograd_basics.view").set_value("backward").run()
    at.button(key="b.autograd_basics.backward").click().run()
    assert not at.exception
    ref = AutogradDemo(0.5, 3, 1, True)
    ref.backward()
    snap = zh.record(ref.snapshot())
    assert metric(at, "x.grad") == snap["x_grad_shown"] == "全为 5"
    assert metric(at, zh("autograd_basics.backward.metric_one_pass", n=3)) == "全为 5"
    assert any("autograd 的结果与手算一致" in s.value for s in at.success)
    assert _graph(at) == ref.dot("backward", labels=zh.labels) and "全为 5" in _graph(at)
    assert dict(at.query_params)["lang"] == "zh"
    # the same settings in English: only the words change
    at.selectbox(key="w.lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value.endswith("Autograd basics")
    assert metric(at, "x.grad") == "all 5"
    assert at.radio(key="w.autograd_basics.view").value == "backward"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sections_4_and_5_follow_requires_grad(lang):
    """With requires_grad off there is no graph: no .data/.detach() demo and no refused x.numpy()."""
    from gdcore.i18n import translator
    T = translator(lang)
    at = open_link(PAGE, {"requires_grad": "0"} | ({"lang": "zh"} if lang == "zh" else {}))
    assert not at.exception and at.toggle(key="w.autograd_basics.requires_grad").value is False
    codes = [c.value for c in at.code]
    assert not [c for c in codes if "alias.zero_()" in c]  # the detach demo's code
    texts = [m.value for m in list(at.markdown) + list(at.error)]
    assert not [t for t in texts if "Silently wrong" in t or "Caught" in t or "RuntimeError" in t]
    assert any(T("autograd_basics.detach.off") == i.value for i in at.info)
    assert any(T("autograd_basics.numpy.works") == s.value for s in at.success)
    at.toggle(key="w.autograd_basics.requires_grad").set_value(True).run()  # on again: both demos are back
    assert any("alias.zero_()" in c.value for c in at.code)
    assert any(e.value.startswith("RuntimeError") for e in at.error)
