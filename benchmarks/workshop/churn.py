"""The churn scenario: sessions that step three times and vanish without closing, in waves, then the
server's RSS while Streamlit's disconnected-session store lets them go.
"""
from __future__ import annotations

import asyncio
import time

from websockets.exceptions import WebSocketException

from .client import Session
from .lesson_page import STEP, only_key
from .server import Target, measured


async def churn_visit(url: str, page: str, steps: int, opts) -> str | None:
    """Open the page, click Step `steps` times, vanish without closing; an error text or None."""
    session = Session(url, page)
    try:
        await session.open(opts.open_timeout)
        key = only_key(session, STEP)
        for _ in range(steps):
            if (await session.click(key, opts.click_timeout)).run is None:
                return "click timed out"
        return None
    except (OSError, TimeoutError, LookupError, WebSocketException) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        session.drop()


async def churn_scenario(target: Target, pages, opts) -> dict:
    """opts.churn_sessions sessions in waves that each step 3 times and drop their connection,
    then RSS while Streamlit's disconnected-session store lets them go.

    Streamlit keeps a disconnected session for server.disconnectedSessionTTL (120 s by default), at
    most 128 of them (runtime/memory_session_storage.py, a cachetools TTLCache). Such a cache expires
    entries lazily, when it is written: after waiting, two later visitors arrive and leave as real
    ones would, which is what lets the store drop the expired sessions.
    """
    errors: list[str] = []
    marks: dict[str, float] = {}  # phase -> perf_counter when it ended

    async def work():
        for first in range(0, opts.churn_sessions, opts.churn_wave):
            wave = range(first, min(first + opts.churn_wave, opts.churn_sessions))
            results = await asyncio.gather(*(churn_visit(target.url, pages[i % len(pages)], 3, opts) for i in wave))
            errors.extend(r for r in results if r)
        marks["after_waves"] = time.perf_counter()
        await asyncio.sleep(opts.churn_settle)
        marks["after_ttl"] = time.perf_counter()
        for _ in range(2):
            errors.extend(filter(None, [await churn_visit(target.url, pages[0], 0, opts)]))
        await asyncio.sleep(10)

    t0 = time.perf_counter()
    _, sampler = await measured(target, work(), period=2.0)
    out = {"scenario": "churn", "sessions": opts.churn_sessions, "wave": opts.churn_wave, "pages": list(pages),
           "settle_s": opts.churn_settle, "waves_s": round(marks["after_waves"] - t0, 1), "visit_errors": len(errors),
           "visit_error_samples": sorted(set(errors))[:5], "server": sampler.summary(),
           "rss_timeline_mb": [(round(t - t0), round(rss)) for t, rss, *_ in sampler.samples[::5]]}
    if sampler.samples:  # RSS when each phase ended (the first sample after it)
        for phase, when in marks.items():
            later = [rss for t, rss, *_ in sampler.samples if t >= when]
            out["server"]["rss_mb"][phase] = round(later[0]) if later else None
    return out
