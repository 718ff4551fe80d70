"""In a real browser: 'Step slowly' on the logistic-regression page plays one step's six phases, pauses,
goes on by hand, and the boundary chart shows the next step's pull."""
from __future__ import annotations

import re

from test_pages import assert_clean, open_page, settle, step_count

PHASE_JS = """k => { const m = document.querySelector('[data-testid="stMain"]').innerText.match(/phase (\\d) of 6/);
  return !!m && parseInt(m[1]) >= k; }"""
PHASE_IS_JS = """k => { const m = document.querySelector('[data-testid="stMain"]').innerText.match(/phase (\\d) of 6/);
  return !!m && parseInt(m[1]) === k; }"""


def _phase(pg) -> int:
    return int(re.search(r"phase (\d) of 6", pg.inner_text('[data-testid="stMain"]')).group(1))


def test_step_slowly_on_the_logistic_page_plays_pauses_and_goes_on_by_hand(page, server, shots):
    pg = page
    open_page(pg, server, "logistic_regression")
    main = pg.locator('[data-testid="stMain"]')
    main.get_by_role("button", name=re.compile("Step slowly$")).click()
    pg.wait_for_function(PHASE_JS, arg=1, timeout=30_000)
    assert ">>     for step in range(n_items):" in pg.inner_text('[data-testid="stMain"]')
    pg.wait_for_function(PHASE_JS, arg=2, timeout=30_000)  # the beats go on without a click
    main.get_by_role("button", name=re.compile("Pause$")).click()
    settle(pg)
    k = _phase(pg)
    main.get_by_role("button", name=re.compile("Next phase$")).click()
    pg.wait_for_function(PHASE_IS_JS, arg=k + 1, timeout=30_000)
    for j in range(k + 1, 6):  # paused: each phase only when asked for
        main.get_by_role("button", name=re.compile("Next phase$")).click()
        pg.wait_for_function(PHASE_IS_JS, arg=j + 1, timeout=30_000)
    # the phase's name arrives before its marked code: wait for the mark, then for the run to finish
    pg.wait_for_function("""() => />> +w\\.grad\\.data\\.zero_\\(\\)/.test(
        document.querySelector('[data-testid="stMain"]').innerText)""", timeout=30_000)
    settle(pg)
    text = pg.inner_text('[data-testid="stMain"]')
    assert re.search(r">> +w\.grad\.data\.zero_\(\)", text)  # the last phase's lines are marked
    assert "# -> w = [" in text and "# -> loss = " in text  # with the numbers each phase computed
    assert step_count(pg) == 1  # one engine step, played in phases
    assert "The gradient's pull" in text and "Step 2 (sample #1) will move the boundary" in text
    pg.screenshot(path=str(shots / "logistic_slow_step.png"))
    assert_clean(pg)
