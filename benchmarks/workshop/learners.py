"""The learners scenario: a room of learners, each a tab on one lesson page clicking Step every 2 to
4 s (never before the page answered), one in ten pressing "Run to end" once; what their clicks add
up to.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

from websockets.exceptions import WebSocketException

from .client import Session
from .lesson_page import RESET, STEP, RunToEnd, only_key, run_to_end
from .records import Click
from .server import Target, measured
from .stats import spread


async def sleep_until(t: float) -> None:
    await asyncio.sleep(max(0.0, t - time.perf_counter()))


@dataclass
class Learner:
    """One learner: a tab on one page, what it clicked and what the server answered."""
    name: str
    page: str
    rng: random.Random
    run_to_end_at: float | None = None  # when this learner presses "Run to end" (perf_counter)
    session: Session | None = None
    step_key: str = ""
    open_s: float | None = None
    error: str | None = None
    clicks: list[Click] = field(default_factory=list)
    runs_to_end: list[RunToEnd] = field(default_factory=list)

    async def attend(self, url: str, start: float, deadline: float, opts) -> None:
        """Open the page at `start`, click until `deadline`, close the tab."""
        await sleep_until(start)
        self.session = Session(url, self.page)
        try:
            self.open_s = await self.session.open(opts.open_timeout)
            self.step_key = only_key(self.session, STEP)
            await self.click_until(deadline, opts)
        except (OSError, TimeoutError, LookupError, WebSocketException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            await self.session.close()

    async def click_until(self, deadline: float, opts) -> None:
        next_click = time.perf_counter() + self.rng.uniform(2, 4)
        while not self.session.closed:
            next_click = max(next_click, time.perf_counter())
            if next_click >= deadline:
                return
            await sleep_until(next_click)
            if self.run_to_end_at is not None and time.perf_counter() >= self.run_to_end_at:
                self.run_to_end_at = None
                record = await run_to_end(self.session, opts.run_timeout)
                self.runs_to_end.append(record)
                if record.seconds is None:
                    return  # still running after --run-timeout: this learner is stuck
                await self.session.click(only_key(self.session, RESET), opts.click_timeout)
            else:
                self.clicks.append(await self.session.click(self.step_key, opts.click_timeout))
            next_click += self.rng.uniform(2, 4)


def make_learners(n: int, pages, share: float, start: float, duration: float, seed: int) -> list[Learner]:
    """n learners over the pages in turn; round(n * share) of them press "Run to end" once."""
    rng = random.Random(seed)
    runners = set(rng.sample(range(n), round(n * share)))
    learners = []
    for i in range(n):
        learner = Learner(f"learner {i + 1}", pages[i % len(pages)], random.Random(rng.random()))
        if i in runners:
            learner.run_to_end_at = start + duration * rng.uniform(0.1, 0.4)
        learners.append(learner)
    return learners


def click_report(learners: list[Learner], click_timeout: float) -> dict:
    """What the learners' Step clicks add up to."""
    clicks = [c for lr in learners for c in lr.clicks]
    answered = [c for c in clicks if c.run is not None]
    moved = [c.moved for c in answered]
    by_page: dict[str, list[int]] = {}
    for lr in learners:
        by_page.setdefault(lr.page, []).extend(c.run.bytes for c in lr.clicks if c.run is not None)
    sessions = [lr.session for lr in learners if lr.session is not None]
    return {
        "clicks": {"sent": len(clicks), "answered": len(answered), "timed_out": len(clicks) - len(answered),
                   "timeout_s": click_timeout},
        "click_latency_s": spread([c.latency for c in answered]),
        "bytes_per_click": {page: {"mean": round(statistics.fmean(b)), "max": max(b)}
                            for page, b in by_page.items() if b},
        "counter": {"moved_by_one": sum(m == 1 for m in moved),
                    "violations": sum(m is not None and m != 1 for m in moved),
                    "not_shown": sum(m is None for m in moved)},
        "errors": {"exception_elements": sum(s.exceptions.shown for s in sessions),
                   "exceptions_with_traceback": sum(s.exceptions.with_traceback for s in sessions),
                   "exception_samples": sorted({x for s in sessions for x in s.exceptions.samples})[:5],
                   "dropped_by_server": sum(s.closed_by_server is not None for s in sessions),
                   "cache_misses": sum(s.cache.misses for s in sessions),
                   "learner_errors": sorted({lr.error for lr in learners if lr.error})[:5],
                   "learners_failed": sum(lr.error is not None for lr in learners)},
        "open_s": spread([lr.open_s for lr in learners if lr.open_s is not None], 2),
        "run_to_end": [vars(r) for lr in learners for r in lr.runs_to_end],
    }


async def learners_scenario(target: Target, n: int, pages, opts) -> dict:
    """n learners clicking Step for --duration seconds (after a --ramp of arrivals)."""
    start = time.perf_counter()
    deadline = start + opts.ramp + opts.duration
    learners = make_learners(n, pages, opts.run_to_end_share, start + opts.ramp, opts.duration, opts.seed)
    arrivals = [start + opts.ramp * i / n for i in range(n)]
    work = asyncio.gather(*(lr.attend(target.url, t, deadline, opts) for lr, t in zip(learners, arrivals)))
    _, sampler = await measured(target, work)
    return {"scenario": "learners", "learners": n, "pages": list(pages), "duration_s": opts.duration,
            "wall_s": round(time.perf_counter() - start, 1), **click_report(learners, opts.click_timeout),
            "server": sampler.summary()}
