"""Workshop load: a room of learners on one server, clicking as their browsers would.

    python benchmarks/bench_workshop.py --learners 30                  # 30 learners, linear regression, 60 s
    python benchmarks/bench_workshop.py --learners 1,10,30 --duration 30 --json out.json
    python benchmarks/bench_workshop.py --sweep --page all --json out.json   # 1, 10, 30, 60, 100 on every lesson
    python benchmarks/bench_workshop.py --churn                        # 300 sessions that vanish; RSS until cleanup
    python benchmarks/bench_workshop.py --hostile                      # bad frames and a rerun flood beside 3 learners
    python benchmarks/bench_workshop.py --browser-check                # the client against Chromium, click for click

Each learner is a protocol-level browser tab (benchmarks/workshop/client.py: asyncio websockets and
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

This file is the command; the parts are in benchmarks/workshop/: one module a scenario (learners.py,
churn.py, hostile.py, browser_check.py), the server and its sampling (server.py), the lesson page's
buttons (lesson_page.py), the report (report.py) and the client (client.py and what it keeps).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workshop.browser_check import browser_check  # noqa: E402
from workshop.churn import churn_scenario  # noqa: E402
from workshop.hostile import hostile_scenario  # noqa: E402
from workshop.learners import learners_scenario  # noqa: E402
from workshop.lesson_page import PAGES  # noqa: E402
from workshop.report import markdown  # noqa: E402
from workshop.server import Server, Target, require_loopback, warm_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SWEEP = (1, 10, 30, 60, 100)


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


# -- the command line ----------------------------------------------------------------------------------------

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
