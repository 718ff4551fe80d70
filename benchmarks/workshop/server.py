"""The server the learners visit and what it costs: a `streamlit run` started on a free loopback
port (or a running one given by its URL and process ids), a warm-up visit per page, and the
processes' RSS, CPU and threads sampled once a second while a scenario runs.
"""
from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .client import NO_PROXY, Session
from .stats import percentile


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
