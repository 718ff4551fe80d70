"""A share link as a new server process's first learner: the lesson, its numbers, the app's sidebar.

Until the first st.navigation call of a process, Streamlit runs its legacy pages/ folder mode. Nothing
sits at the top of pages/, so that mode has no page to run or list but streamlit_app.py, which runs
the app's own navigation: the learner never sees a folder listing or a page drawn without the app.
A process started as the deployments start it has run the app once before its first learner
(/_stcore/script-health-check), so the link opens without a detour or a notice.
"""
from __future__ import annotations

from test_pages import _numbers, assert_clean, settle, step_count_zh, wait_numbers

from gdcore import registry
from gdcore.i18n import translator

LINK = "linear_regression?lr=0.3&steps=4&lang=zh"

# Records, from before the first paint, every sidebar navigation entry, dialog and address the page shows.
WATCH = """() => {
  const seen = window.__seen = {nav: [], dialogs: [], paths: []};
  const record = () => {
    if (seen.paths[seen.paths.length - 1] !== location.pathname) seen.paths.push(location.pathname);
    document.querySelectorAll('[data-testid="stSidebarNav"] a').forEach(a => {
      const t = a.innerText.trim().split("\\n").pop().trim();
      if (t && !seen.nav.includes(t)) seen.nav.push(t);
    });
    document.querySelectorAll('[role="dialog"]').forEach(d => {
      const t = d.innerText.slice(0, 200);
      if (!seen.dialogs.includes(t)) seen.dialogs.push(t);
    });
  };
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    history[name] = function (...args) { const out = original.apply(this, args); record(); return out; };
  }
  new MutationObserver(record).observe(document, {subtree: true, childList: true, characterData: true});
  record();
}"""


def _titles() -> set[str]:
    """The app's own navigation entries, in both languages."""
    return {translator(lang)(p.title) for lang in ("en", "zh") for p in registry.PAGES}


def _open_watched(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    pg.add_init_script(f"({WATCH})()")
    pg.set_default_timeout(60_000)
    pg.goto(url)
    pg.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    pg.wait_for_function("() => /第 [\\d,]+ 步/.test(document.querySelector('[data-testid=\"stMain\"]')?.innerText)",
                         timeout=90_000)
    settle(pg, 800)
    return pg


def _wait_numbers(pg, expected: list[str]) -> list[str]:
    wait_numbers(pg, expected)  # the metrics draw after the status line
    return _numbers(pg)


def test_share_link_as_a_new_servers_first_learner_opens_its_lesson(browser, fresh_server, shots):
    first = _open_watched(browser, f"{fresh_server}/{LINK}")
    first.screenshot(path=str(shots / "first_load_link.png"))
    assert_clean(first)
    seen = first.evaluate("() => window.__seen")
    # the app's own sidebar from the first paint: never Streamlit's listing of the pages/ folder
    assert seen["nav"], "the sidebar never showed the app's navigation"
    assert set(seen["nav"]) <= _titles(), seen["nav"]
    assert seen["paths"] == ["/linear_regression"], seen["paths"]  # no detour through another page
    assert not seen["dialogs"], seen["dialogs"]
    assert first.locator("h1").first.inner_text().strip().endswith("手写线性回归")
    assert step_count_zh(first) == 4
    first.wait_for_function("() => location.pathname.endsWith('/linear_regression') "
                            "&& location.search.includes('lr=0.3') && location.search.includes('steps=4')")
    # every metric drawn (the last is loss − loss*, below the charts) before they are read
    first.locator('[data-testid="stMetricLabel"]', has_text="loss − loss*").first.wait_for(timeout=60_000)
    settle(first, 800)
    shown = _numbers(first)
    assert len(shown) >= 7, shown  # the stability limit, then w*, b*, loss* and the three distances
    # a second learner sees the same run
    second = _open_watched(browser, f"{fresh_server}/{LINK}")
    assert_clean(second)
    seen2 = second.evaluate("() => window.__seen")
    assert seen2["paths"] == ["/linear_regression"], seen2["paths"]
    assert not seen2["dialogs"], seen2["dialogs"]
    assert set(seen2["nav"]) <= _titles(), seen2["nav"]
    assert step_count_zh(second) == 4
    assert _wait_numbers(second, shown) == shown


def test_a_bare_servers_first_request_still_draws_the_lesson_under_a_notice(browser, bare_server):
    """`streamlit run` not waited on: its very first request meets Streamlit's legacy folder mode.

    Streamlit 1.67 decides at a process's first session, from the mere presence of a pages/ folder, to
    start in that mode; it finds no page named like the link's path (pages/ holds no page of its own)
    and tells the browser "Page not found" before streamlit_app.py runs its navigation, which then draws
    the right lesson. The deployments wait for the app's first run (fresh_server) and never show this.
    """
    first = _open_watched(browser, f"{bare_server}/{LINK}")
    seen = first.evaluate("() => window.__seen")
    assert set(seen["nav"]) <= _titles(), seen["nav"]  # never a folder listing
    assert first.locator("h1").first.inner_text().strip().endswith("手写线性回归")
    assert step_count_zh(first) == 4
    assert seen["paths"][-1] == "/linear_regression", seen["paths"]
    assert any("Page not found" in d for d in seen["dialogs"]), seen["dialogs"]  # fails when Streamlit stops it
