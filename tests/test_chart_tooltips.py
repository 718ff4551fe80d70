"""Every chart a lesson page draws can be read by hovering: each layer that draws data has a tooltip."""
from __future__ import annotations

import pytest
from apptest_util import open_page

from gdcore.charts import vl

PAGES = ["linear_regression", "mini_batches", "why_squared_loss", "optimizers", "logistic_regression"]


def _layers_without_tooltip(spec: dict, path: str = "", inherited: bool = False) -> list[str]:
    """The drawing layers with no tooltip of their own nor one from the layer they are nested in (a
    nested layer takes its parent's encoding)."""
    out = []
    given = inherited or "tooltip" in spec.get("encoding", {})
    for i, sub in enumerate(spec.get("layer", [])):
        out += _layers_without_tooltip(sub, f"{path}/layer{i}", given)
    for key in ("hconcat", "vconcat", "concat"):
        for i, sub in enumerate(spec.get(key, [])):
            out += _layers_without_tooltip(sub, f"{path}/{key}{i}")
    if "mark" in spec:
        m = spec["mark"]
        kind = m if isinstance(m, str) else m.get("type")
        has = given or (isinstance(m, dict) and m.get("tooltip"))
        if kind != "text" and not has:  # a text mark is the number itself
            out.append(f"{path} ({kind})")
    return out


@pytest.mark.parametrize("page", PAGES)
def test_every_drawn_layer_has_a_tooltip(page):
    at = open_page(f"pages/views/{page}.py")
    step = [b for b in at.button if b.key and b.key.endswith(".step")]
    if step:
        step[0].click().run()  # the loss curve and the path appear with the first step
    if page == "optimizers":
        at.button(key="b.optimizers.race").click().run()
    drawn = at.session_state[f"_charts.{page}"]
    assert drawn
    # a chart a Step redraws is kept as its plain spec (gdcore.charts.vl); vl.altair gives it as Altair
    missing = {name: _layers_without_tooltip((vl.altair(ch) if isinstance(ch, dict) else ch).to_dict())
               for name, ch in drawn.items()}
    assert not any(missing.values()), missing
