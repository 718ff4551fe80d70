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
