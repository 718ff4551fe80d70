"""Workshop load: a room of learners on one server, clicking as their browsers would.

    python benchmarks/bench_workshop.py --learners 30                  # 30 learners, linear regression, 60 s
    python benchmarks/bench_workshop.py --learners 1,10,30 --duration 30 --json out.json
    python benchmarks/bench_workshop.py --sweep --page all --json out.json   # 1, 10, 30, 60, 100 on every lesson
    python benchmarks/bench_workshop.py --churn                        # 300 sessions that vanish; RSS until cleanup
    python benchmarks/bench_workshop.py --hostile                      # bad frames and a rerun flood beside 3 learners
    python benchmarks/bench_workshop.py --browser-check                # the client against Chromium, click for click

Each learner is a protocol-level browser tab (benchmarks/workshop_client.py: asyncio websockets and
Streamlit's own protobuf messages): it opens the lesson page, finds the Step button by its key
(`b.<lesson>.step`) in what the server sends, and clicks it every 2 to 4 s, but not before the page
has answered its previous click (or 30 s have passed). One learner in ten presses "Run to end" once,
at a random moment, then waits for the run to report done (the status line's step count reaching
the total, or the Step button disabled) while the run_every fragment ticks on the browser's timer,
presses Reset and goes on stepping.

Measured per scenario: Step click latency (click sent -> script_finished of the run that answered it,
fragment runs included), clicks sent / answered / timed out, bytes received per Step click (every
ForwardMsg of that run, with the browser's message cache emulated), whether each answered click moved
the step counter by exactly one, exception elements and dropped sockets, "Run to end" durations, page
opening times, and the server's RSS and CPU (psutil; 100 % = one core).

The server: by default the script starts its own (`streamlit run streamlit_app.py` on a free loopback
port, a fresh one for every scenario, after one warm-up visit per page). To measure a server that is
already running, for example several processes behind nginx on this machine, point --url at it and
give the processes to watch with --pid (comma-separated; their RSS and CPU are summed):

    python benchmarks/bench_workshop.py --url http://127.0.0.1:8080 --pid 4101,4102 --sweep

Only loopback addresses are accepted. Every scenario is bounded in sessions and in time and stops by
itself; nothing here belongs in CI's timings (tests/test_bench_workshop.py runs a 2-learner smoke).
Figures depend on the machine and on what else it runs: report the load average (printed) with them.
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import itertools
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.exceptions import WebSocketException  # noqa: E402
from workshop_client import NO_PROXY, Click, Run, Session  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("linear_regression", "mini_batches", "optimizers", "logistic_regression")
SWEEP = (1, 10, 30, 60, 100)
STEP, RUN_ALL, RESET = r"^b\.[^.]+\.step$", r"^b\.[^.]+\.run_all$", r"^b\.[^.]+\.reset$"
# Wrong-typed widget states a hand-crafted message can carry: (key suffix, WidgetState field, value).
WRONG_TYPES = (("lr", "string_value", "fast please"), ("recipe", "int_value", 7),
               ("steps", "string_value", "3000"), ("log", "double_value", 2.5))


# -- small helpers ------------------------------------------------------------------------------------

def percentile(values, p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def spread(values, digits: int = 3) -> dict:
    """n, p50, p95, p99 and max of a list of numbers, rounded."""
    out = {"n": len(values)}
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        v = percentile(values, p)
        out[name] = None if v is None else round(v, digits)
    return out


async def sleep_until(t: float) -> None:
    await asyncio.sleep(max(0.0, t - time.perf_counter()))


def require_loopback(url: str) -> None:
    """Refuse any target that is not this machine: the benchmark is a load generator."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        addresses = set()
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"--url must be a loopback address (127.0.0.0/8, ::1, localhost), not {host!r}")


def http_get(url: str, timeout: float) -> int:
    opener = urllib.request.build_opener(NO_PROXY)
    with opener.open(url, timeout=timeout) as resp:
        resp.read()
        return resp.status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the server and what it costs -----------------------------------------------------------------

class Server:
    """`streamlit run <app>` on a free loopback port, its output in a temporary log file."""

    def __init__(self, app: Path, extra_args: list[str]) -> None:
        self.app, self.extra_args = app, extra_args
        self.proc: subprocess.Popen | None = None
        self.log: Path | None = None
        self.url = ""

    def start(self, timeout: float = 90.0) -> str:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.app), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               *self.extra_args]
        fd, name = tempfile.mkstemp(prefix="bench_workshop_", suffix=".log")
        self.log = Path(name)
        self.proc = subprocess.Popen(cmd, cwd=self.app.parent, stdout=fd, stderr=subprocess.STDOUT)
        os.close(fd)  # the server holds its own copy
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_text()[-2000:]}")
            try:
                # the app's first run, in a throwaway session (.streamlit/config.toml enables it): until
                # then a fresh process is in Streamlit's legacy folder mode and says "Page not found"
                if http_get(f"{self.url}/_stcore/health", 2) == 200 and \
                        http_get(f"{self.url}/_stcore/script-health-check", 90) == 200:
                    return self.url
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not answer its health check within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

        if self.log is not None:
            self.log.unlink(missing_ok=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def tracebacks(self) -> list[str]:
        """Each traceback in the server's log as "what was being logged: the exception"."""
        lines = self.log_text().splitlines()
        out = []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                end = next((j for j in range(i + 1, len(lines)) if lines[j] and not lines[j][0].isspace()), None)
                logged = re.sub(r"^\d{4}-\d\d-\d\d [\d:.]+ ", "", lines[i - 1]).strip() if i else ""
                out.append(f"{logged}: {lines[end].strip() if end is not None else '?'}"[:300])
        return out


@dataclass
class Target:
    """Where the learners go, and which processes to watch (RSS and CPU summed over them)."""
    url: str
    pids: list[int]


class Sampler:
    """RSS, CPU and threads of the server processes (and this client's CPU), once a second."""

    def __init__(self, pids: list[int], period: float = 1.0) -> None:
        self.period = period
        self.samples: list[tuple[float, float, float, int, float]] = []  # t, rss MB, cpu %, threads, client cpu %
        try:
            import psutil
        except ImportError:  # figures for the client still come; the server's need psutil
            self.procs, self.me = [], None
            return
        self.procs = [psutil.Process(pid) for pid in pids]
        self.me = psutil.Process()
        for p in [*self.procs, self.me]:
            p.cpu_percent(None)

    def sample(self) -> None:
        if self.me is None or not self.procs:
            return
        try:
            rss = sum(p.memory_info().rss for p in self.procs) / 2**20
            cpu = sum(p.cpu_percent(None) for p in self.procs)
            threads = sum(p.num_threads() for p in self.procs)
        except Exception:  # noqa: BLE001 - a process that went away ends the series
            return
        self.samples.append((time.perf_counter(), rss, cpu, threads, self.me.cpu_percent(None)))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), self.period)
            except TimeoutError:
                pass
        self.sample()

    def summary(self) -> dict:
        if not self.samples:
            return {"note": "no samples (install psutil, or pass --pid with --url)"}
        rss = [s[1] for s in self.samples]
        cpu = [s[2] for s in self.samples[1:]] or [0.0]
        return {"rss_mb": {"start": round(rss[0]), "peak": round(max(rss)), "end": round(rss[-1])},
                "cpu_pct": {"mean": round(statistics.fmean(cpu)), "p95": round(percentile(cpu, 95))},
                "threads_peak": max(s[3] for s in self.samples),
                "client_cpu_pct": round(statistics.fmean(s[4] for s in self.samples[1:])
                                        if len(self.samples) > 1 else 0)}


async def measured(target: Target, work, period: float = 1.0):
    """Run the coroutine `work` while sampling the server; (its result, the sampler)."""
    sampler, stop = Sampler(target.pids, period), asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    try:
        return await work, sampler
    finally:
        stop.set()
        await sampling


async def warm_up(url: str, pages, timeout: float) -> None:
    """One visit per page, so the first learner does not pay for imports and compiled code."""
    for page in pages:
        session = Session(url, page)
        await session.open(timeout)
        await session.close()


# -- learners ------------------------------------------------------------------------------------------

def only_key(session: Session, pattern: str) -> str:
    """The user key of the one element on screen whose key matches `pattern`."""
    keys = session.keys(pattern)
    if len(keys) != 1:
        raise LookupError(f"{session.page}: expected one element keyed like {pattern}, found {keys}")
    return keys[0]


@dataclass
class RunToEnd:
    """One "Run to end" press: how long until the page reported the run done."""
    page: str
    pressed_at_step: int | None
    seconds: float | None = None  # None: not done within --run-timeout
    steps: int | None = None
    total: int | None = None
    ticks: int = 0  # run_every reruns the client sent meanwhile
    runs: int = 0  # script runs that started meanwhile


def run_done(session: Session, step_key: str) -> Run | None:
    """The run that showed a long run over: it finished showing the last step, or with Step
    disabled (the button is disabled once the run is done, diverged runs included)."""
    last = session.runs[-1] if session.runs else None
    if last is None or not last.ok:
        return None
    counter, step = session.counter, session.find(step_key)
    over = (counter is not None and counter[0] >= counter[1]) or (step is not None and step.proto.disabled)
    return last if over else None


async def run_to_end(session: Session, timeout: float) -> RunToEnd:
    """Press "Run to end" and wait (the run_every ticks going) until the page says done.

    Under load no run may finish successfully until the long run is over (each tick cuts off the
    run in progress), so the press itself is not waited for: only the page saying done.
    """
    step_key = only_key(session, STEP)
    before, ticks, runs = session.counter, session.ticks_sent, len(session.runs)
    click = await session.press(only_key(session, RUN_ALL))
    record = RunToEnd(session.page, before and before[0])
    done = await session.wait_until(lambda: run_done(session, step_key), timeout)
    record.ticks, record.runs = session.ticks_sent - ticks, len(session.runs) - runs
    if session.counter is not None:
        record.steps, record.total = session.counter
    if done is not None:
        record.seconds = round(done.finished - click.sent, 3)
    return record


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


# -- churn ---------------------------------------------------------------------------------------------

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


# -- hostile traffic -------------------------------------------------------------------------------------

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


# -- the client against a real browser --------------------------------------------------------------------

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


# -- running scenarios ---------------------------------------------------------------------------------------

def scenarios(opts) -> list[tuple[str, object]]:
    """(label, coroutine factory taking a Target) for every scenario the options ask for."""
    pages = PAGES if opts.page == "all" else (opts.page,)
    out = []
    if opts.browser_check:
        out.append(("browser check", lambda t: browser_check(t, pages, opts)))
    if opts.churn:
        out.append(("churn", lambda t: churn_scenario(t, pages, opts)))
    if opts.hostile:
        out.append(("hostile", lambda t: hostile_scenario(t, pages[0], opts)))
    counts = SWEEP if opts.sweep else opts.learners
    if not out and not counts:
        counts = [10]
    for n in counts:
        out.append((f"{n} learners", lambda t, n=n: learners_scenario(t, n, pages, opts)))
    return out


async def run_on_target(opts, label: str, factory, pages) -> dict:
    """Run one scenario on a fresh owned server (or on --url), warmed up first."""
    server = None
    if opts.url:
        target = Target(opts.url.rstrip("/"), [int(p) for p in opts.pid.split(",") if p] if opts.pid else [])
    else:
        server = Server(Path(opts.app).resolve(), opts.server_arg)
        url = await asyncio.to_thread(server.start)
        target = Target(url, [server.proc.pid])
    try:
        print(f"-- {label} on {target.url} (load average {os.getloadavg()[0]:.1f})", flush=True)
        await warm_up(target.url, pages, opts.open_timeout)
        result = await factory(target)
        result["load_average_at_start"] = round(os.getloadavg()[0], 2)
        if server is not None:
            problems = server.tracebacks()
            result["server_log"] = {"tracebacks": len(problems), "first": problems[:10]}
        return result
    finally:
        if server is not None:
            server.stop()


# -- the report ------------------------------------------------------------------------------------------

def _fmt(v, unit: str = "") -> str:
    return "-" if v is None else f"{v:,}{unit}" if isinstance(v, int) else f"{v:.2f}{unit}"


def learner_rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    rows = []
    for name, get in (
        ("page opened, p50 / p95", lambda r: f"{_fmt(r['open_s']['p50'], ' s')} / {_fmt(r['open_s']['p95'], ' s')}"),
        ("Step click to script finished, p50 / p95", lambda r: " / ".join(
            _fmt(r["click_latency_s"][k], " s") for k in ("p50", "p95"))),
        ("p99 / max", lambda r: " / ".join(_fmt(r["click_latency_s"][k], " s") for k in ("p99", "max"))),
        ("clicks sent / answered / timed out", lambda r: "{sent} / {answered} / {timed_out}".format(**r["clicks"])),
        ("counter moved by exactly one / violations", lambda r: "{moved_by_one} / {violations}".format(**r["counter"])),
        ("bytes per Step click (mean)", lambda r: ", ".join(f"{p}: {b['mean'] / 1000:.1f} KB"
                                                          for p, b in r["bytes_per_click"].items()) or "-"),
        ("exception elements / dropped sockets / failed learners", lambda r: "{exception_elements} / "
         "{dropped_by_server} / {learners_failed}".format(**r["errors"])),
        ("Run to end: seconds (steps)", lambda r: ", ".join(
            f"{_fmt(x['seconds'], ' s') if x['seconds'] is not None else 'not done'} ({x['steps']})"
            for x in r["run_to_end"]) or "-"),
        ("server CPU mean / p95", lambda r: "{mean} % / {p95} %".format(**r["server"]["cpu_pct"])
         if "cpu_pct" in r["server"] else "-"),
        ("server RSS start / peak / end", lambda r: "{start} / {peak} / {end} MB".format(**r["server"]["rss_mb"])
         if "rss_mb" in r["server"] else "-"),
        ("client CPU mean (this script)", lambda r: f"{r['server'].get('client_cpu_pct', '-')} %"),
    ):
        rows.append((name, [get(r) for r in results]))
    return rows


def flat(d: dict, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted name, value) for every leaf of a nested result."""
    rows = []
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += flat(value, name + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                rows += flat(item, f"{name}[{i}].")
        else:
            rows.append((name, value if isinstance(value, str) else json.dumps(value)))
    return rows


def markdown(results: list[dict]) -> str:
    """The learner scenarios as one table (a column each); every other scenario as a table of its own."""
    out = []
    learners = [r for r in results if r["scenario"] == "learners"]
    if learners:
        head = [f"{r['learners']} learners" for r in learners]
        pages = ", ".join(learners[0]["pages"])
        out.append(f"| {pages}, Step every 2-4 s, {learners[0]['duration_s']:g} s | " + " | ".join(head) + " |")
        out.append("| --- |" + " --- |" * len(head))
        out += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in learner_rows(learners)]
    for r in results:
        if r["scenario"] != "learners":
            out += ["", f"| {r['scenario']} | |", "| --- | --- |"]
            out += [f"| {k} | {v.replace('|', '/')} |" for k, v in flat(r) if k not in ("scenario", "rss_timeline_mb")]
    return "\n".join(out)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--learners", type=lambda v: [int(n) for n in v.split(",")], default=[],
                    help="learners per scenario, comma-separated (e.g. 1,10,30); 10 when nothing else is asked")
    ap.add_argument("--sweep", action="store_true", help=f"one scenario per learner count: {SWEEP}")
    ap.add_argument("--page", default="linear_regression", choices=[*PAGES, "all"],
                    help="the lesson page; 'all' gives learner i page i mod 4")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of clicking per scenario")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which the learners arrive")
    ap.add_argument("--run-to-end-share", type=float, default=0.1, help="learners who press Run to end once")
    ap.add_argument("--run-timeout", type=float, default=150.0, help="seconds a Run to end may take")
    ap.add_argument("--click-timeout", type=float, default=30.0, help="seconds before a click counts as unanswered")
    ap.add_argument("--open-timeout", type=float, default=90.0, help="seconds a page may take to open")
    ap.add_argument("--churn", action="store_true", help="sessions that step three times and vanish")
    ap.add_argument("--churn-sessions", type=int, default=300)
    ap.add_argument("--churn-wave", type=int, default=30)
    ap.add_argument("--churn-settle", type=float, default=150.0,
                    help="seconds to wait after the waves (server.disconnectedSessionTTL is 120 by default)")
    ap.add_argument("--hostile", action="store_true", help="bad frames, wrong types and a rerun flood")
    ap.add_argument("--hostile-learners", type=int, default=3)
    ap.add_argument("--flood", type=int, default=1000, help="full reruns the flood sends")
    ap.add_argument("--flood-seconds", type=float, default=10.0)
    ap.add_argument("--drain-timeout", type=float, default=120.0, help="seconds to wait for the flood to settle")
    ap.add_argument("--huge-mb", type=float, default=26.0,
                    help="size of the oversized message (server.maxWidgetStateSize is 25 MB by default)")
    ap.add_argument("--browser-check", action="store_true", help="compare the client with Chromium, three Steps")
    ap.add_argument("--url", help="a running server on loopback instead of starting one")
    ap.add_argument("--pid", help="with --url: server process ids to measure, comma-separated")
    ap.add_argument("--app", default=str(ROOT / "streamlit_app.py"), help="the app to start (default: this checkout's)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra `streamlit run` option for the started server, "
                         "e.g. --server-arg=--runner.postScriptGC=false")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="write every scenario's figures to this file")
    opts = ap.parse_args(argv)
    if opts.url:
        require_loopback(opts.url)
    return opts


async def main_async(opts) -> list[dict]:
    pages = PAGES if opts.page == "all" else (opts.page,)
    results = []
    for label, factory in scenarios(opts):
        results.append(await run_on_target(opts, label, factory, pages))
        if opts.json:  # written after every scenario: a long sweep keeps what it measured
            meta = {"command": sys.argv, "app": opts.app if not opts.url else None, "url": opts.url,
                    "cpus": os.cpu_count()}
            Path(opts.json).write_text(json.dumps({**meta, "scenarios": results}, indent=1))
    return results


def main(argv=None) -> int:
    opts = parse_args(argv)
    results = asyncio.run(main_async(opts))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
