"""Every page in a real browser: loads cleanly, draws its charts, and its main interaction works."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = [  # (url path, charts expected at first load, has a Step button)
    ("", 0, False),
    ("autograd_basics", 0, False),
    ("linear_regression", 2, True),  # data and landscape; the loss curve comes with the first Step
    ("mini_batches", 2, True),
    ("why_squared_loss", 2, False),
    ("optimizers", 1, True),
    ("logistic_regression", 2, True),
    ("lr_explorer", 0, False),
]
STEP_RE = re.compile(r"step ([\d,]+) of ([\d,]+)")


def settle(pg, extra_ms: int = 400) -> None:
    """Wait until the script has finished its rerun (as Streamlit's own e2e tests do)."""
    pg.wait_for_selector(IDLE, timeout=60_000)
    pg.wait_for_timeout(extra_ms)
    pg.wait_for_selector(IDLE, timeout=60_000)


def open_page(pg, server, path: str) -> None:
    pg.goto(f"{server}/{path}")
    pg.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    settle(pg, 800)


def step_count(pg) -> int:
    m = STEP_RE.search(pg.inner_text('[data-testid="stMain"]'))
    assert m, "the page shows no 'step N of M' status"
    return int(m.group(1).replace(",", ""))


STEP_ABOVE_JS = """n => { const m = document.querySelector('[data-testid="stMain"]')?.innerText
    .match(/step ([\\d,]+) of/);
  return !!m && parseInt(m[1].replace(/,/g, '')) > n; }"""


def wait_step_above(pg, n: int, timeout: float = 30_000) -> int:
    """Wait until the page's status (or a long run's progress) shows a step past n; return it."""
    pg.wait_for_function(STEP_ABOVE_JS, arg=n, timeout=timeout)
    return step_count(pg)


def button(pg, name: str):
    """A button by its label (an icon's ligature text may precede the label)."""
    main = pg.locator('[data-testid="stMain"]')  # not the toolbar's own "Stop"
    return main.get_by_role("button", name=re.compile(rf"^(\w+ )?{re.escape(name)}$")).first


def click(pg, name: str) -> None:
    button(pg, name).click()
    settle(pg)


def open_settings(pg) -> None:
    """Open the lesson's settings (an expander above the run, labelled with the current choice)."""
    details = pg.locator('[data-testid="stMain"] [data-testid="stExpander"] details', has_text="Settings:").first
    if not details.evaluate("d => d.open"):
        details.locator("summary").first.click()
    pg.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stExpander"]')]
        .some(e => e.innerText.includes('Settings:') && e.querySelector('details').open)""", timeout=30_000)


def assert_clean(pg) -> None:
    exceptions = pg.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    errors = [e for e in pg.console_errors if "favicon" not in e]
    assert not errors, errors


def assert_charts_drawn(pg, at_least: int) -> None:
    charts = pg.locator('[data-testid="stVegaLiteChart"]')
    if at_least:  # charts draw one after another: wait for the last expected one
        charts.nth(at_least - 1).locator("canvas, svg").first.wait_for(timeout=30_000)
    assert charts.count() >= at_least
    for i in range(charts.count()):
        assert charts.nth(i).locator("canvas, svg").count() > 0, f"chart {i} has nothing drawn"


@pytest.mark.parametrize("path, charts, has_step", PAGES, ids=[p[0] or "home" for p in PAGES])
def test_page_loads_draws_and_steps(page, server, shots, path, charts, has_step):
    open_page(page, server, path)
    assert_clean(page)
    assert_charts_drawn(page, charts)
    name = path or "home"
    if has_step:
        before = step_count(page)
        shown = STEP_RE.sub("", page.inner_text('[data-testid="stMain"]'))
        click(page, "Step")
        assert step_count(page) == before + 1
        # the numbers on screen (loss, w, b, the fitted line's values) moved, not just the counter
        assert STEP_RE.sub("", page.inner_text('[data-testid="stMain"]')) != shown
        click(page, "Step")
        assert step_count(page) == before + 2
        assert_clean(page)
        assert_charts_drawn(page, charts)
    page.screenshot(path=str(shots / f"{name}_desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    settle(page)
    page.screenshot(path=str(shots / f"{name}_phone.png"), full_page=True)
    assert_clean(page)


def test_run_keeps_across_page_switches(page, server):
    open_page(page, server, "linear_regression")
    for _ in range(3):
        click(page, "Step")
    assert step_count(page) == 3
    page.locator('[data-testid="stSidebarNav"] a', has_text="Home").first.click()
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Linear regression").first.click()
    settle(page)
    assert step_count(page) == 3
    assert_clean(page)


def test_long_run_shows_progress_and_stops(page, server, shots):
    # a million steps: far more than any machine trains between the first progress and the Stop click
    open_page(page, server, "optimizers?epochs=1000000")
    assert STEP_RE.search(page.inner_text('[data-testid="stMain"]')).group(2) == "1,000,000"
    button(page, "Run to end").click()
    progress = page.locator('[data-testid="stProgress"]').first
    progress.wait_for(timeout=30_000)
    wait_step_above(page, 0)  # the bar reports steps trained
    page.screenshot(path=str(shots / "long_run_progress.png"))
    button(page, "Stop").click()
    progress.wait_for(state="detached", timeout=30_000)
    settle(page)
    first = step_count(page)
    assert 0 < first < 1_000_000
    # stopped means stopped: one Step moves the run by exactly one from where Stop left it
    click(page, "Step")
    assert step_count(page) == first + 1
    assert page.locator('[data-testid="stProgress"]').count() == 0
    assert_clean(page)


def test_play_animates_on_its_own(page, server):
    open_page(page, server, "linear_regression")
    button(page, "Play").click()
    moving = wait_step_above(page, 0)
    wait_step_above(page, moving)  # advanced again with no click
    # while playing, each tick draws the Pause button anew: a click that waits for it to stand still
    # can miss it on a busy machine, so the click event goes to whichever Pause button is there now
    button(page, "Pause").dispatch_event("click")
    button(page, "Play").wait_for(timeout=30_000)  # the pause has been processed
    settle(page)
    paused = step_count(page)
    # paused means paused: one Step moves the run by exactly one from where Pause left it
    click(page, "Step")
    assert step_count(page) == paused + 1
    assert_clean(page)


def test_preset_loads_the_tutorial(page, server):
    open_page(page, server, "linear_regression")
    open_settings(page)
    lr = page.locator('[data-testid="stMain"] input[aria-label="lr"]').first
    lr.fill("0.05")
    lr.press("Enter")
    settle(page)
    click(page, "Tutorial 003 (full batch, lr 0.01, 3000 steps)")
    assert page.locator('[data-testid="stMain"] input[aria-label="lr"]').first.input_value() == "0.01"
    assert "lr 0.01 · 3,000 steps" in page.inner_text('[data-testid="stMain"] [data-testid="stExpander"] summary')
    assert STEP_RE.search(page.inner_text('[data-testid="stMain"]')).group(2) == "3,000"
    assert_clean(page)


def test_lr_explorer_trains_all_and_draws(page, server, shots):
    open_page(page, server, "lr_explorer")
    click(page, "Train all")
    settle(page, 1000)
    assert_charts_drawn(page, 2)
    page.screenshot(path=str(shots / "lr_explorer_trained.png"))
    assert_clean(page)


def test_share_link_round_trip(page, server):
    """A link opens the same run at the same step, in the link's language; the address bar follows."""
    open_page(page, server, "linear_regression?lr=0.3&steps=4&lang=zh")
    assert_clean(page)
    assert page.locator("h1").first.inner_text().strip().endswith("手写线性回归")
    assert step_count_zh(page) == 4
    page.locator('[data-testid="stMain"] button', has_text="单步").first.click()
    settle(page, 800)
    assert step_count_zh(page) == 5
    page.wait_for_function("() => window.location.search.includes('steps=5')", timeout=30_000)
    url = page.url
    assert "lr=0.3" in url and "lang=zh" in url
    shown = _numbers(page)
    other = page.context.new_page()
    other.console_errors = []
    other.goto(url)
    other.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    settle(other, 800)
    assert step_count_zh(other) == 5
    # same seed, same steps: the same numbers on screen (once the page has drawn all of them)
    wait_numbers(other, shown)
    assert _numbers(other) == shown
    other.close()


def test_share_popover_shows_the_link_of_the_run_as_it_is_now(page, server):
    """The link is drawn when the popover opens (not sent with every Step) and follows the run's steps."""
    open_page(page, server, "mini_batches")
    click(page, "Step")
    click(page, "Step")
    assert step_count(page) == 2
    body = '[data-testid="stPopoverBody"]'
    assert page.locator(f"{body} code").count() == 0  # closed: nothing of it on the page
    button(page, "Share link").click()
    page.wait_for_selector(f"{body} code", timeout=30_000)
    link = page.locator(f"{body} code").first.inner_text().replace("\n", "")
    assert link.startswith(f"{server}/mini_batches?") and "steps=2" in link
    assert link.split("?", 1)[1] == page.url.split("?", 1)[1]  # the address bar's own link
    page.keyboard.press("Escape")
    settle(page)
    click(page, "Step")
    assert step_count(page) == 3
    button(page, "Share link").click()
    page.wait_for_function(f"() => document.querySelector('{body} code')?.innerText.includes('steps=3')",
                           timeout=30_000)


def test_instructor_link_hides_controls(page, server):
    open_page(page, server, "linear_regression?hide=lr&lock=1&lr=0.2")
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('input[aria-label="lr"]').count() == 0
    assert main.get_by_role("button", name=re.compile("Tutorial 003")).count() == 0
    click(page, "Step")
    assert step_count(page) == 1
    assert_clean(page)


def test_million_step_run_stops_and_keeps_its_history(page, server):
    """Stop during a 1,000,000-step run: the run halts at the next tick and keeps every step so far."""
    open_page(page, server, "linear_regression?num_epochs=1000000")
    assert STEP_RE.search(page.inner_text('[data-testid="stMain"]')).group(2) == "1,000,000"
    button(page, "Run to end").click()
    progress = page.locator('[data-testid="stProgress"]').first
    progress.wait_for(timeout=30_000)
    wait_step_above(page, 0)
    button(page, "Stop").click()
    button(page, "Run to end").wait_for(timeout=30_000)
    settle(page)
    stopped = step_count(page)
    assert 0 < stopped < 1_000_000
    click(page, "Step")
    assert step_count(page) == stopped + 1  # halted where Stop left it, every step so far kept
    assert page.locator('[data-testid="stProgress"]').count() == 0
    assert_charts_drawn(page, 3)
    assert_clean(page)


ZH_STEP_RE = re.compile(r"第 ([\d,]+) 步，共 ([\d,]+) 步")


def step_count_zh(pg) -> int:
    m = ZH_STEP_RE.search(pg.inner_text('[data-testid="stMain"]'))
    assert m, "the page shows no '第 N 步，共 M 步' status"
    return int(m.group(1).replace(",", ""))


def _numbers(pg) -> list[str]:
    """The metric values on the page (w*, b*, distances...), in order."""
    return pg.locator('[data-testid="stMetricValue"]').all_inner_texts()


METRICS_ARE_JS = """shown => JSON.stringify([...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .map(e => e.innerText)) === JSON.stringify(shown)"""


def wait_numbers(pg, expected: list[str], timeout: float = 20_000) -> None:
    """Wait until the page's metric values are `expected` (they draw after the status line)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        pg.wait_for_function(METRICS_ARE_JS, arg=expected, timeout=timeout)
    except PlaywrightTimeout:  # the caller's assert shows the values that differ
        pass


# Every visible code box: its widest line against the box (a box whose text runs past its edge hides
# the end of the line behind a scrollbar the learner does not see, as `lr=1` for the tutorial's `lr=1e-3`).
CODE_OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stCode"] pre')]
    .filter(e => e.checkVisibility() && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText.split('\\n').reduce((a, b) => a.length >= b.length ? a : b, '').slice(0, 90))"""


@pytest.mark.parametrize("path, has_step", [(p, s) for p, _, s in PAGES], ids=[p[0] or "home" for p in PAGES])
def test_no_code_box_cuts_its_text(page, server, path, has_step):
    open_page(page, server, path)
    if has_step:
        click(page, "Step")
    tabs = page.locator('[data-testid="stMain"] [data-baseweb="tab-list"] [role="tab"]')
    for i in range(max(1, tabs.count())):  # the code folded into tabs below the run: each tab in turn
        if tabs.count() and tabs.nth(i).is_visible():  # a tab inside another tab: when that one is open
            tabs.nth(i).click()
        for summary in page.locator('[data-testid="stMain"] [data-testid="stExpander"] summary').all():
            if summary.is_visible() and not summary.evaluate("s => s.parentElement.open"):
                summary.click()
        page.wait_for_function("""() => [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stExpander"] details')].every(d => d.open || !d.checkVisibility())""",
                               timeout=30_000)
        settle(page)
        assert page.evaluate(CODE_OVERFLOW) == []


# the plot frame's height and every legend label's box, relative to the chart's own svg
CHART_LAYOUT_JS = """e => { const svg = e.querySelector('svg'); const s = svg.getBoundingClientRect();
  const frame = svg.querySelector('g.role-frame.root > g > path.background').getBoundingClientRect();
  const labels = [...svg.querySelectorAll('g.role-legend text')].map(t => t.getBoundingClientRect())
    .filter(r => r.width > 0).map(r => [r.left - s.left, r.right - s.left]);
  return {width: s.width, plot: frame.height, labels: labels}; }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_why_squared_loss_charts_keep_their_plot_and_legends(page, server, shots, width):
    """No chart squashed to a strip by its title, legend and axes; no legend running off the chart."""
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, server, "why_squared_loss")
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(3).locator("svg").first.wait_for(timeout=30_000)
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator("svg").first.wait_for(state="visible", timeout=30_000)
        layout = charts.nth(i).evaluate(CHART_LAYOUT_JS)
        assert layout["plot"] >= 150, (i, layout)
        for left, right in layout["labels"]:
            assert left >= -1 and right <= layout["width"] + 1, (i, layout)
    page.screenshot(path=str(shots / f"why_squared_loss_{width}.png"), full_page=True)
    assert_clean(page)


def test_the_page_icon_is_a_static_file_of_the_apps_own(page, server):
    """The icon is one fixed URL the browser caches (server.enableStaticServing). As a media file it
    was dropped and registered again around every full run, and a request in between got a 404."""
    open_page(page, server, "linear_regression")
    click(page, "Step")
    href = page.eval_on_selector('link[rel~="icon"]', "link => link.href")
    assert href == f"{server}/app/static/favicon.png"
    resp = page.request.get(href)
    assert resp.status == 200 and resp.headers["content-type"] == "image/png"
    assert resp.body() == (Path(__file__).resolve().parents[2] / "static" / "favicon.png").read_bytes()
    assert_clean(page)


def test_no_request_leaves_the_server(page, server):
    """Fully offline: on every page, every request the browser makes goes to the app's own origin."""
    elsewhere = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
    for path, _, has_step in PAGES:
        open_page(page, server, path)
        if has_step:
            click(page, "Step")
    assert elsewhere == [], sorted(set(elsewhere))[:10]
