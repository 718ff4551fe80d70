"""In a real browser: a click on the linear-regression landscape puts (w, b) there, and Step goes on from it."""
from __future__ import annotations

from test_pages import assert_clean, click, open_page, settle, step_count

LANDSCAPE = '[data-testid="stVegaLiteChart"]:has-text("loss landscape over (w, b)")'
FRAME = "svg g.role-frame.root > g > path.background"  # the plot area of the layered chart


def _sliders(pg) -> tuple[float, float]:
    values = pg.locator('[data-testid="stSlider"] [data-testid="stSliderThumbValue"]').all_inner_texts()
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
