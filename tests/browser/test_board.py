"""The class board in a real browser: an instructor opens a room, learners join and answer, the board shows it."""
from __future__ import annotations

import re

from test_pages import assert_clean, open_page, settle

NICK = "<b>Ann</b>"


def _codes(pg) -> list[str]:
    return [c.strip() for c in pg.locator('[data-testid="stCode"]').all_inner_texts()]


def _join_and_answer(browser, url: str, nickname: str, loss: str):
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.console_errors = []
    pg.goto(url)
    settle(pg, 800)
    side = pg.locator('[data-testid="stSidebar"]')
    side.locator('input[aria-label="Nickname (optional)"]').fill(nickname)
    side.locator('input[aria-label="Nickname (optional)"]').press("Enter")
    settle(pg)
    side.get_by_role("button", name=re.compile("Join the room$")).click()
    settle(pg)
    assert f"as {nickname}" in side.inner_text()  # the learner's own name, as typed, as text
    side.locator('[data-testid="stSidebarNav"] a', has_text="Exercises").first.click()  # same session
    settle(pg)
    pg.locator('[data-testid="stMain"] input[aria-label*="loss"]').first.fill(loss)
    pg.keyboard.press("Enter")
    settle(pg)
    pg.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile("Check$")).first.click()
    settle(pg)
    assert_clean(pg)
    return pg


def test_a_room_from_link_to_board(page, server, browser, shots):
    open_page(page, server, "instructor")
    page.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile("Start a room$")).first.click()
    settle(page)
    learners_url = next(c for c in _codes(page) if "room=" in c and "token=" not in c)
    board_url = next(c for c in _codes(page) if "token=" in c)
    code = re.search(r"room=(\w+)", learners_url).group(1)

    # the board refuses a wrong token without saying whether the room exists
    page.goto(board_url.rsplit("token=", 1)[0] + "token=guess")
    settle(page)
    assert "not valid" in page.locator('[data-testid="stMain"]').inner_text()

    learners = [_join_and_answer(browser, learners_url, NICK, "3.5"),
                _join_and_answer(browser, learners_url, "Bob", "2")]
    page.goto(board_url)
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert f"{code[:4]}-{code[4:]}" in main.inner_text()
    # the board refreshes itself: wait until it counts both learners' answers
    page.wait_for_function("""() => { const t = document.querySelector('[data-testid="stMain"]').innerText;
        return /Learners\\s+2/.test(t) && /Results received\\s+2/.test(t); }""", timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').nth(1).locator("canvas, svg").first.wait_for(timeout=30_000)
    # the markup nickname never becomes markup: no <b> element is made of it
    assert main.locator("b", has_text="Ann").count() == 0
    page.screenshot(path=str(shots / "class_board.png"), full_page=True)
    assert_clean(page)
    for pg in learners:
        pg.close()
