"""What a Step costs the server, counted rather than timed (a timing would flake on a shared CI host):
the charts a Step redraws are plain specs, built without Altair, and what they send stays small."""
import pytest
from altair.utils.schemapi import SchemaBase
from apptest_util import open_page

from gdcore.charts import vl

# chart bytes a Step sends after three Steps (the element protos; tutorial data, fixed seeds). The
# workshop target is 25 KB for everything a Step sends; the rest of the page is about 12 KB.
# (mini-batches: its reshuffle chart changes once an epoch; between, the browser's cache holds it and
# a Step sends a reference to it instead; the optimizer page's race charts are drawn when a race is run)
BUDGET = {"linear_regression": 12_000, "logistic_regression": 15_500, "mini_batches": 18_000, "optimizers": 6_000}
CHARTS = {"linear_regression": 3, "logistic_regression": 3, "mini_batches": 4, "optimizers": 2}


@pytest.mark.parametrize("page", sorted(BUDGET))
def test_a_step_builds_no_altair_chart_and_sends_few_chart_bytes(page, monkeypatch):
    at = open_page(f"pages/views/{page}.py")
    for _ in range(2):  # found again each time: the hands sliders' keys follow the run
        next(b for b in at.button if b.key and b.key.endswith(".step")).click().run()
    calls = {"altair": 0, "wire": 0}
    to_dict, wire = SchemaBase.to_dict, vl.wire  # any Altair object turned into a dict: a chart, a tooltip

    def counted_to_dict(self, *args, **kwargs):
        calls["altair"] += 1
        return to_dict(self, *args, **kwargs)

    def counted_wire(*args, **kwargs):
        calls["wire"] += 1
        return wire(*args, **kwargs)

    monkeypatch.setattr(SchemaBase, "to_dict", counted_to_dict)
    monkeypatch.setattr(vl, "wire", counted_wire)
    next(b for b in at.button if b.key and b.key.endswith(".step")).click().run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    # no chart goes through Altair, the cockpit's gradient arrow and click selection included
    assert calls == {"altair": 0, "wire": len(charts)} and len(charts) == CHARTS[page]
    sent = sum(c.proto.ByteSize() for c in charts)
    assert sent <= BUDGET[page], sent



def test_the_share_link_is_drawn_only_while_its_popover_is_open():
    """The link changes with every Step: a closed popover's link would be sent with each one."""
    at = open_page("pages/views/mini_batches.py")
    step = next(b for b in at.button if b.key and b.key.endswith(".step"))
    step.click().run()

    def links() -> list[str]:
        return [c.value for c in at.code if c.value.startswith("?") and "steps=" in c.value]
    assert not at.exception and links() == []  # closed: the Step drew no link
    at.session_state["b.mini_batches.share"] = True  # what opening it in the browser sets
    at.run()
    assert len(links()) == 1 and "steps=1" in links()[0] and links()[0] == "?" + "&".join(
        f"{k}={v}" for k, v in at.query_params.items() for v in (v if isinstance(v, list) else [v]))
    next(b for b in at.button if b.key and b.key.endswith(".step")).click().run()
    assert len(links()) == 1 and "steps=2" in links()[0]  # open, it follows the run
