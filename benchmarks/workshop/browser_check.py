"""The client against a real browser: Chromium (through playwright) and the client click the same
lesson page, and their step counters, click requests and run_every ticks are compared.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import re
import statistics
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg

from .client import Session
from .lesson_page import STEP, only_key, run_to_end
from .server import Target


@dataclass
class Tab:
    """What one tab (Chromium or the client) did in the browser check."""
    counters: list = field(default_factory=list)  # the step count shown after each Step
    sent: list = field(default_factory=list)  # (perf_counter, BackMsg) for every message it sent
    clicks: int = 0
    run_steps: int | None = None  # the step count the long run had reached when the window closed

    def fragment_reruns(self, auto: bool) -> list[tuple[float, BackMsg]]:
        return [(t, m) for t, m in self.sent if m.rerun_script.fragment_id and m.rerun_script.is_auto_rerun == auto]

    def step_requests(self) -> list[BackMsg]:
        return [m for _, m in self.fragment_reruns(False)[:self.clicks]]

    def tick_period(self) -> float | None:
        """The median time between two run_every requests (None: fewer than three)."""
        times = [t for t, _ in self.fragment_reruns(True)]
        return round(statistics.median(b - a for a, b in itertools.pairwise(times)), 3) if len(times) > 2 else None


async def browser_tab(url: str, page: str, clicks: int, window: float) -> Tab:
    """Chromium clicks Step `clicks` times, then Run to end and watches it for `window` seconds."""
    from playwright.async_api import async_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
    tab = Tab(clicks=clicks)
    status = re.compile(r"step ([\d,]+) of [\d,]+")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=os.environ.get("GDCORE_CHROMIUM", "/usr/bin/chromium"),
                                           args=flags)
        pg = await browser.new_page(viewport={"width": 1280, "height": 800})
        pg.on("websocket", lambda ws: ws.on("framesent", lambda p: tab.sent.append(
            (time.perf_counter(), BackMsg.FromString(p)))))
        await pg.goto(f"{url}/{page}")
        step = pg.get_by_role("button", name="Step", exact=True)
        shown = pg.locator('[data-testid="stCaptionContainer"], [data-testid="stAlertContainer"]').filter(
            has_text=status)
        idle = pg.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')  # as Streamlit's e2e tests wait
        await idle.wait_for(timeout=60_000)
        await step.wait_for(timeout=60_000)
        for i in range(1, clicks + 1):
            await step.click()
            await shown.filter(has_text=re.compile(rf"step {i} of ")).wait_for(timeout=30_000)
            await idle.wait_for(timeout=30_000)  # the run has finished, as the client waits for script_finished
            tab.counters.append(int(status.search(await shown.first.inner_text()).group(1).replace(",", "")))
        await pg.get_by_role("button", name="Run to end", exact=True).click()
        await asyncio.sleep(window)
        tab.run_steps = int(status.search(await shown.last.inner_text()).group(1).replace(",", ""))
        await browser.close()
    return tab


async def client_tab(url: str, page: str, clicks: int, window: float, opts) -> Tab:
    """The client does what browser_tab does."""
    session = Session(url, page, record_sent=True)
    await session.open(opts.open_timeout)
    tab = Tab(clicks=clicks, sent=session.sent)
    try:
        key = only_key(session, STEP)
        for _ in range(clicks):
            click = await session.click(key, opts.click_timeout)
            tab.counters.append(click.run.counter[0] if click.run and click.run.counter else None)
        await run_to_end(session, window)
        tab.run_steps = session.counter and session.counter[0]
    finally:
        await session.close()
    return tab


def click_request(msg: BackMsg) -> dict:
    """The parts of a click's rerun request that two tabs on the same page must agree on."""
    state = msg.rerun_script
    widgets = {}
    for w in state.widget_states.widgets:
        kind = w.WhichOneof("value")
        widgets[w.id] = (kind, str(getattr(w, kind)) if kind else "")
    return {"widgets": widgets, "fragment_id": state.fragment_id, "page_script_hash": state.page_script_hash,
            "query_string": state.query_string, "is_auto_rerun": state.is_auto_rerun,
            "cached_message_hashes": sorted(state.cached_message_hashes)}


def request_differences(browser: BackMsg, client: BackMsg) -> list[str]:
    """How the client's click request differs from the browser's.

    The browser reports a widget's value once its component has mounted, so a quick click can
    carry fewer widgets; the client reports every widget drawn. Widgets the browser sent must be
    there with the same value; any other field must be equal.
    """
    b, c = click_request(browser), click_request(client)
    out = [f"{k}: browser {b[k]!r}, client {c[k]!r}" for k in b if k != "widgets" and b[k] != c[k]]
    for wid, value in b["widgets"].items():
        if c["widgets"].get(wid) != value:
            out.append(f"widget {wid}: browser {value}, client {c['widgets'].get(wid)}")
    return out


async def browser_check(target: Target, pages, opts, clicks: int = 3, window: float = 10.0) -> dict:
    """On each page, Chromium and the client click Step three times, then Run to end for ten
    seconds: the step counters must move the same way, the client's click requests must carry
    what the browser's carry, and its run_every ticks must go to the same fragment at the same
    pace as the browser's (their median spacing within 25 %). How far the long run gets is
    reported, not compared: Chromium drawing the charts takes CPU from the server here."""
    out = {"scenario": "browser-check", "pages": {}}
    for page in pages:
        b = await browser_tab(target.url, page, clicks, window)
        c = await client_tab(target.url, page, clicks, window, opts)
        diffs = [f"click {i + 1}: {d}" for i, (x, y) in enumerate(zip(b.step_requests(), c.step_requests()))
                 for d in request_differences(x, y)]
        fragments = {m.rerun_script.fragment_id for tab in (b, c) for _, m in tab.fragment_reruns(True)}
        periods = (b.tick_period(), c.tick_period())
        ticks = (len(b.fragment_reruns(True)), len(c.fragment_reruns(True)))
        # judged on five ticks or more: a run that ends sooner leaves too few intervals to compare
        same_pace = None if min(ticks) < 5 else abs(periods[0] - periods[1]) <= 0.25 * periods[0]
        out["pages"][page] = {
            "counters_browser": b.counters, "counters_client": c.counters, "request_differences": diffs[:20],
            "tick_period_s_browser": periods[0], "tick_period_s_client": periods[1],
            "ticks_browser": ticks[0], "ticks_client": ticks[1], "same_tick_pace": same_pace,
            "run_steps_after_window_browser": b.run_steps, "run_steps_after_window_client": c.run_steps,
            "agree": (b.counters == c.counters == list(range(1, clicks + 1)) and not diffs
                      and len(fragments) <= 1 and same_pace is not False)}
    out["agree"] = all(p["agree"] for p in out["pages"].values())
    return out
