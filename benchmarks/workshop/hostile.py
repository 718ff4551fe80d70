"""The hostile scenario: bad frames, wrong-typed widget values and a rerun flood beside a few learners
clicking Step, while a health check polls the server.
"""
from __future__ import annotations

import asyncio
import random
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from .client import Session
from .learners import click_report, make_learners, sleep_until
from .lesson_page import STEP, only_key
from .server import Target, http_get, measured
from .stats import spread

WRONG_TYPES = (("lr", "string_value", "fast please"), ("recipe", "int_value", 7),
               ("steps", "string_value", "3000"), ("log", "double_value", 2.5))


async def bad_frame(url: str, frame: bytes | str) -> dict:
    """Send one bad frame on a fresh socket; how the server answered."""
    session = Session(url, "")
    await session.connect()
    t0 = time.perf_counter()
    await session.send_raw(frame)
    closed = await session.wait_closed(10)
    out = {"close_code": session.closed_by_server if closed else None,  # None: the socket stayed open
           "seconds": round(time.perf_counter() - t0, 3) if closed else None}
    await session.close()
    return out


async def bad_frames(url: str, page: str, rng: random.Random, huge_mb: float) -> dict:
    """Random bytes, a truncated rerun request, a message over the size limit, a text frame."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.widget_states.widgets.add(id="$$ID-0-w.x", string_value="y" * 64)
    whole = msg.SerializeToString()
    huge = BackMsg()
    huge.rerun_script.query_string = "x" * int(huge_mb * 2**20)
    return {"random_bytes": await bad_frame(url, rng.randbytes(512)),
            "truncated_protobuf": await bad_frame(url, whole[: len(whole) // 2]),
            "huge_message": await bad_frame(url, huge.SerializeToString()) | {"mb": huge_mb},
            "text_frame": await bad_frame(url, "rerun please")}


async def wrong_type(url: str, page: str, suffix: str, kind: str, value, opts) -> dict:
    """Open the page, rerun with one widget's value of the wrong type; what the learner then sees."""
    session = Session(url, page)
    try:
        await session.open(opts.open_timeout)
        keys = session.keys(rf"^w\.[^.]+\.{suffix}$")
        if not keys:
            return {"skipped": f"no widget keyed w.*.{suffix} on {page}"}
        shown = session.exceptions.shown
        state = WidgetState(id=session.find(keys[0]).id, **{kind: value})
        index = len(session.runs)
        await session.send_rerun(state)
        run = await session.wait_run(index, opts.click_timeout)
        out = {"key": keys[0], "as": kind, "answered": run is not None,
               "exception_elements": session.exceptions.shown - shown,
               "with_traceback": session.exceptions.with_traceback, "samples": session.exceptions.samples,
               "step_button_left": bool(session.keys(STEP))}
        if out["step_button_left"]:  # and the page still steps
            click = await session.click(only_key(session, STEP), opts.click_timeout)
            out["step_then_moved"] = click.moved
        return out
    finally:
        await session.close()


async def rerun_flood(url: str, page: str, count: int, seconds: float, opts) -> dict:
    """`count` full reruns in `seconds` from one socket, then how long the server takes to settle."""
    session = Session(url, page)
    await session.open(opts.open_timeout)
    first = len(session.runs)
    t0 = time.perf_counter()
    for i in range(count):
        await sleep_until(t0 + seconds * i / count)
        await session.send_rerun()
    sent_s = time.perf_counter() - t0
    settled = None  # when the last run finished, once nothing has started for 5 s (within opts.drain_timeout)
    while time.perf_counter() - t0 < sent_s + opts.drain_timeout and not session.closed:
        last = session.runs[-1]
        if last.finished is not None and time.perf_counter() - last.finished > 5:
            settled = round(last.finished - t0, 1)
            break
        await asyncio.sleep(0.5)
    runs = session.runs[first:]
    out = {"sent": count, "over_s": round(sent_s, 2), "runs_started": len(runs),
           "runs_completed": sum(r.ok for r in runs), "settled_after_s": settled,
           "drain_timeout_s": opts.drain_timeout, "dropped_by_server": session.closed_by_server}
    await session.close()
    return out


async def health_loop(url: str, period: float, stop: asyncio.Event) -> list[float | None]:
    """GET /_stcore/health every `period` s; latencies (None: failed or over 5 s)."""
    out: list[float | None] = []
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            ok = await asyncio.to_thread(http_get, f"{url}/_stcore/health", 5) == 200
        except OSError:
            ok = False
        out.append(time.perf_counter() - t0 if ok else None)
        await sleep_until(t0 + period)
    return out


async def hostile_scenario(target: Target, page: str, opts) -> dict:
    """Bad frames, wrong-typed widget values and a rerun flood, while a few learners click Step
    and a health check polls the server."""
    rng = random.Random(opts.seed)
    start = time.perf_counter()
    learners = make_learners(opts.hostile_learners, (page,), 0.0, start, opts.duration, opts.seed)
    stop = asyncio.Event()
    health = asyncio.create_task(health_loop(target.url, 0.5, stop))

    async def attacks():
        await asyncio.sleep(3)
        out = {"bad_frames": await bad_frames(target.url, page, rng, opts.huge_mb)}
        out["wrong_types"] = [await wrong_type(target.url, page, *case, opts) for case in WRONG_TYPES]
        out["rerun_flood"] = await rerun_flood(target.url, page, opts.flood, opts.flood_seconds, opts)
        return out

    async def work():
        deadline = start + opts.duration
        results = await asyncio.gather(attacks(), *(lr.attend(target.url, start, deadline, opts) for lr in learners))
        stop.set()
        return results[0]

    attacks_out, sampler = await measured(target, work())
    latencies = await health
    ok = [x for x in latencies if x is not None]
    return {"scenario": "hostile", "page": page, "learners": opts.hostile_learners, "duration_s": opts.duration,
            "health": {"checks": len(latencies), "failed_or_over_5s": len(latencies) - len(ok),
                       "over_1s": sum(x > 1 for x in ok), **{k: v for k, v in spread(ok).items() if k != "n"}},
            **attacks_out, "normal_learners": click_report(learners, opts.click_timeout),
            "server": sampler.summary()}
