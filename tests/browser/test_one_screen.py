"""One screen: on every lesson page that trains, a learner at 1280 x 800 (sidebar open) sees the run
controls, the data, the loss curve and the landscape together without scrolling; on a 390 x 844 phone
nothing scrolls sideways and Step is on the first screen."""
from __future__ import annotations

import re

import pytest
from test_pages import assert_clean, button, open_page, settle, step_count

MAIN = '[data-testid="stMain"]'
# each page's charts on the first screen, by the start of their titles (the race's landscape, a canvas
# without an svg title, by its place: the first chart in the race's column beside the main run)
CHARTS = {
    "linear_regression": ["the data and the line", "loss per step", "loss landscape over (w, b)"],
    "mini_batches": ["Data: epoch", "Loss: each step's batch,", "loss landscape over (w, b)"],
    "optimizers": ["Data and fitted line", "loss per step", "race"],
    "logistic_regression": ["Data by class and the decision boundary", "loss", "ŷ = σ(z)"],
}
BOX_JS = r"""title => {
  const charts = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')];
  const race = () => [...document.querySelectorAll('[data-testid="stColumn"]')]
    .find(k => [...k.querySelectorAll('button')].some(b => /Race [\d,]+ steps/.test(b.innerText)));
  const named = e => [...e.querySelectorAll('svg g.role-title text')].map(t => t.textContent).join(' ');
  const c = title === 'race' ? race()?.querySelector('[data-testid="stVegaLiteChart"]')
    : charts.find(e => named(e).startsWith(title));
  if (!c) return null;
  const r = c.getBoundingClientRect();
  const svg = c.querySelector('svg');
  const labels = svg ? [...svg.querySelectorAll('g.role-legend text')].map(t => t.getBoundingClientRect())
    .filter(l => l.width > 0).map(l => [l.left - r.left, l.right - r.left]) : [];
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, labels: labels}; }"""
SCROLL_JS = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return [document.scrollingElement.scrollWidth, m.scrollWidth, m.scrollTop]; }"""
DRAWN_JS = f"titles => titles.every(t => ({BOX_JS})(t) !== null)"


def _first_screen(pg, server, path: str) -> None:
    """Open the page as a first-time learner does, race once on the optimizer page, and take one Step."""
    open_page(pg, server, path)
    if path == "optimizers":  # the race's landscape is drawn once the learner has pressed Race
        pg.locator(MAIN).get_by_role("button", name=re.compile(r"Race [\d,]+ steps$")).click()
        settle(pg)
    before = step_count(pg)
    button(pg, "Step").click()
    pg.wait_for_function("n => /step ([\\d,]+) of/.test(document.querySelector('[data-testid=\"stMain\"]').innerText)"
                         " && parseInt(document.querySelector('[data-testid=\"stMain\"]').innerText"
                         ".match(/step ([\\d,]+) of/)[1].replace(/,/g, '')) > n", arg=before, timeout=30_000)
    settle(pg)
    pg.wait_for_function(DRAWN_JS, arg=CHARTS[path], timeout=30_000)  # every chart of the row drawn


@pytest.mark.parametrize("path", list(CHARTS))
def test_controls_data_loss_and_landscape_share_the_first_screen(page, server, shots, path):
    pg = page
    _first_screen(pg, server, path)
    assert step_count(pg) >= 1
    assert pg.evaluate(SCROLL_JS)[2] == 0, "the page scrolled to reach Step"
    width, height = 1280, 800
    step = button(pg, "Step").bounding_box()
    assert step and 0 <= step["y"] and step["y"] + step["height"] <= height, step
    for title in CHARTS[path]:
        box = pg.evaluate(BOX_JS, title)
        assert box is not None, f"no chart {title!r} on {path}"
        assert 0 <= box["top"] and box["bottom"] <= height, (title, box)
        assert box["right"] <= width, (title, box)
        for left, right in box["labels"]:  # no legend entry runs past the chart's edge in its column
            assert left >= -1 and right <= box["width"] + 1, (title, box)
    pg.screenshot(path=str(shots / f"one_screen_{path}_1280.png"))
    assert_clean(pg)


@pytest.mark.parametrize("path", list(CHARTS))
def test_a_phone_scrolls_only_down_and_shows_step_first(page, server, shots, path):
    pg = page
    pg.set_viewport_size({"width": 390, "height": 844})
    _first_screen(pg, server, path)
    pg.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    doc, main, _ = pg.evaluate(SCROLL_JS)
    assert doc <= 390 and main <= 390, (doc, main)
    step = button(pg, "Step").bounding_box()
    assert step and 0 <= step["y"] and step["y"] + step["height"] <= 844, step
    pg.screenshot(path=str(shots / f"one_screen_{path}_390.png"))
    assert_clean(pg)
