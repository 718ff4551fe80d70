"""Before the first Step every lesson says what will appear instead of drawing empty charts: no loss
chart with nothing on it (or only an axis for loss*), no empty `[]` batch box."""
import json

import pytest
from apptest_util import open_link

from gdcore.i18n import translator

PAGES = [("pages/views/linear_regression.py", "b.linear_regression.step", "linear_regression.train.loss_title"),
         ("pages/views/optimizers.py", "b.optimizers.step", "optimizers.train.loss_title"),
         ("pages/views/logistic_regression.py", "b.logistic_regression.step", "logistic_regression.run.loss_title"),
         ("pages/views/mini_batches.py", "b.mini_batches.step", "mini_batches.s2.loss_title")]


def _titles(at) -> list[str]:
    out = []
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        for part in [spec, *spec.get("layer", [])]:
            title = part.get("title")
            if title:
                if isinstance(title, dict):
                    title = title.get("text", "")
                if not isinstance(title, str):  # two lines (layout.two_lines breaks after "," or "，")
                    title = "".join(title) if title[0].endswith("，") else " ".join(title)
                out.append(title)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page, step, loss_title", PAGES, ids=[p[0].split("/")[1][:-3] for p in PAGES])
def test_step_0_shows_a_placeholder_then_the_loss_chart(page, step, loss_title, lang):
    T = translator(lang)
    at = open_link(page, {"lang": lang})
    assert not at.exception, at.exception
    assert T(loss_title) not in _titles(at)
    assert any(i.value == T("ui.loss_placeholder") for i in at.info)
    assert not any(c.value.strip() in ("[]", "") for c in at.code)
    at.button(key=step).click().run()
    assert not at.exception
    assert T(loss_title) in _titles(at)
    assert not any(i.value == T("ui.loss_placeholder") for i in at.info)
