"""Server CPU per Step click, two checkouts side by side: what one Step costs the process every learner shares.

    python benchmarks/bench_step_cpu.py --page linear_regression --old OTHER/streamlit_app.py [--at 2800]

Starts `streamlit run` on each app (loopback, as bench_workshop.py does), then in interleaved rounds
one learner opens the page, runs it to step --at with Run N (a Step late in a run draws more), clicks
Step three times to warm up and CLICKS more times; the server process's CPU time (user + system)
over those clicks, divided by their number, is the CPU per Step, with the bytes each click brought.
Medians over the rounds and the ratio new/old. Not a test: the figures depend on the machine and on
what else it runs (the load average is printed).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil  # noqa: E402
from workshop.client import Session  # noqa: E402
from workshop.lesson_page import PAGES, STEP, only_key, run_to_step  # noqa: E402
from workshop.server import Server, warm_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


async def one_round(url: str, pid: int, page: str, clicks: int, at: int = 0) -> tuple[float, float]:
    """(ms of server CPU per Step, mean bytes per Step) for one learner's clicks, from step `at` on."""
    session = Session(url, page)
    await session.open(60)
    key = only_key(session, STEP)
    await run_to_step(session, at, 300)
    for _ in range(3):
        await session.click(key, 30)
    proc = psutil.Process(pid)
    before = proc.cpu_times()
    sizes = []
    for _ in range(clicks):
        sizes.append((await session.click(key, 30)).run.bytes)
    after = proc.cpu_times()
    await session.close()
    cpu = (after.user + after.system - before.user - before.system) / clicks
    return cpu * 1000, statistics.fmean(sizes)


async def main_async(opts) -> None:
    apps = {"old": Path(opts.old).resolve(), "new": Path(opts.new).resolve()}
    servers = {name: Server(app, []) for name, app in apps.items()}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in apps}
    try:
        for server in servers.values():
            await asyncio.to_thread(server.start)
            await warm_up(server.url, [opts.page], 90)
        for _ in range(opts.rounds):
            for name, server in servers.items():
                results[name].append(await one_round(server.url, server.proc.pid, opts.page, opts.clicks, opts.at))
    finally:
        for server in servers.values():
            server.stop()
    print(f"{opts.page}, {opts.clicks} Steps from step {opts.at + 3} x {opts.rounds} rounds, "
          f"load average {os.getloadavg()[0]:.1f}")
    med = {}
    for name, rows in results.items():
        med[name] = statistics.median(r[0] for r in rows)
        print(f"  {name}: server CPU per Step {med[name]:.1f} ms (rounds {[round(r[0], 1) for r in rows]}), "
              f"bytes per Step {statistics.median(r[1] for r in rows) / 1000:.1f} KB")
    print(f"  new/old CPU per Step: {med['new'] / med['old']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="linear_regression", choices=PAGES)
    ap.add_argument("--old", required=True, help="the other checkout's streamlit_app.py")
    ap.add_argument("--new", default=str(ROOT / "streamlit_app.py"))
    ap.add_argument("--clicks", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--at", type=int, default=0, help="first run the page to this step with Run N (a Step's cost "
                    "grows with the run: the loss curve, the path and the records it draws from)")
    t = time.perf_counter()
    asyncio.run(main_async(ap.parse_args()))
    print(f"  ({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
