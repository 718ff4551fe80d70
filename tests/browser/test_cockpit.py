"""In a real browser: a click on the linear-regression landscape puts (w, b) there, and Step goes on from it."""
from __future__ import annotations

import re

from test_pages import assert_clean, click, open_page, settle, step_count

LANDSCAPE = '[data-testid="stVegaLiteChart"]:has-text("loss landscape over (w, b)")'
# the race's column beside the main run: its button, then its landscape, then its loss curves
RACE_LANDSCAPE = '[data-testid="stColumn"]:has(button:has-text("Race")) [data-testid="stVegaLiteChart"]'
FRAME = "svg g.role-frame.root > g > path.background"  # the plot area of the layered chart


def _sliders(pg) -> tuple[float, float]:
    thumbs = pg.locator('[data-testid="stSlider"] [data-testid="stSliderThumbValue"]')
    thumbs.nth(1).wait_for(timeout=30_000)
    values = thumbs.all_inner_texts()
    return float(values[0]), float(values[1])


def _click_landscape(pg, fx: float, fy: float) -> None:
    frame = pg.locator(LANDSCAPE).locator(FRAME).first
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    pg.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    settle(pg, 800)


def _axis_ticks(pg) -> tuple[list[float], list[float]]:
    """The landscape's w and b tick values as drawn, to know where a click lands."""
    labels = pg.locator(LANDSCAPE).locator("svg g.role-axis-label")
    texts = [labels.nth(i).evaluate("g => Array.from(g.querySelectorAll('text')).map(t => t.textContent)")
             for i in (0, 1)]
    w_ticks, b_ticks = ([float(t.replace("\u2212", "-")) for t in ts] for ts in texts)
    return w_ticks, b_ticks


def test_a_click_on_the_landscape_sets_w_and_b_and_step_goes_on_from_there(page, server, shots):
    pg = page
    open_page(pg, server, "linear_regression")
    pg.locator(LANDSCAPE).locator(FRAME).first.wait_for(timeout=30_000)
    before = _sliders(pg)
    w_ticks, b_ticks = _axis_ticks(pg)
    _click_landscape(pg, 0.75, 0.25)  # right of centre, upper part
    w, b = _sliders(pg)
    assert (w, b) != before
    w_mid, b_mid = (w_ticks[0] + w_ticks[-1]) / 2, (b_ticks[0] + b_ticks[-1]) / 2
    assert w_mid < w <= w_ticks[-1] + 2 * (w_ticks[1] - w_ticks[0])  # right of the middle, inside the plot
    assert b_mid < b <= b_ticks[-1] + 2 * (b_ticks[1] - b_ticks[0])  # above the middle
    main = pg.inner_text('[data-testid="stMain"]')
    assert "set by your hand" in main and step_count(pg) == 0
    assert "moves=0%3A" in pg.url or "moves=0:" in pg.url  # the link carries the start
    pg.screenshot(path=str(shots / "cockpit_after_click.png"))
    click(pg, "Step")
    assert step_count(pg) == 1
    code = pg.inner_text('[data-testid="stMain"]')
    assert f"w = {w:.3f}"[:8] in code.replace("  ", " ")  # the step's forward pass starts at the clicked w
    assert_clean(pg)


PHASE_JS = """k => /phase (\\d) of 5/.test(document.querySelector('[data-testid="stMain"]').innerText)
  && parseInt(document.querySelector('[data-testid="stMain"]').innerText.match(/phase (\\d) of 5/)[1]) >= k"""


def test_step_slowly_plays_the_phases_on_its_own_and_pauses(page, server, shots):
    pg = page
    open_page(pg, server, "linear_regression")
    pg.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile("Step slowly$")).click()
    pg.wait_for_function(PHASE_JS, arg=1, timeout=30_000)
    pg.wait_for_function(PHASE_JS, arg=3, timeout=30_000)  # the beats go on without a click
    assert step_count(pg) == 1  # one engine step, played in phases
    pg.wait_for_function(PHASE_JS, arg=5, timeout=30_000)
    main = pg.inner_text('[data-testid="stMain"]')
    assert ">>     b.data -=" in main or ">>     w.data -=" in main  # the update's lines are marked
    pg.screenshot(path=str(shots / "cockpit_slow_step.png"))
    assert_clean(pg)


def test_a_click_on_the_race_landscape_restarts_every_racer_there(page, server):
    pg = page
    open_page(pg, server, "optimizers")
    pg.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile(r"Race [\d,]+ steps$")).click()
    settle(pg, 800)
    race = pg.locator(RACE_LANDSCAPE).first
    race.locator("canvas, svg").first.wait_for(timeout=30_000)
    race.scroll_into_view_if_needed()
    box = race.locator("canvas, svg").first.bounding_box()
    pg.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.75)
    pg.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"]').innerText"
                         ".includes('Every racer started from the point you clicked')", timeout=30_000)
    assert_clean(pg)
