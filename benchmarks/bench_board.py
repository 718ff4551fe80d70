"""Class board load: a room of learners sending exercise results while the instructor's board refreshes.

    python benchmarks/bench_board.py                          # 100 learners, 60 s: SQLite, PostgreSQL, 2 processes
    python benchmarks/bench_board.py --learners 30 --duration 30 --stores sqlite
    python benchmarks/bench_board.py --stores postgres2 --json out.json

Scenarios (--stores, comma-separated):
  sqlite      one `streamlit run`, the board in a SQLite file (the zero-set-up default)
  postgres    one `streamlit run`, the board in a PostgreSQL server started here on loopback
  postgres2   two `streamlit run` processes behind nginx (deploy/local.py) sharing that PostgreSQL

A room is opened in the store as the instructor's page does. Each learner is a protocol-level browser
tab (benchmarks/workshop/client.py): it opens the Exercises page with the learners' link (?room=CODE),
types a nickname, presses Join, then every 2 to 4 s types a predicted loss and presses Check (each
Check is one result for the board), never before the page answered the previous one. The
instructor's board is one more tab on the board link; its fragment refreshes every 2 s on the
browser's own timer.

Reported: board refresh latency (auto-rerun sent -> that fragment run finished; p50/p95/max), Check
latency, results sent vs rows stored (every answered Check must be stored exactly once), learners whose
join failed, database errors and tracebacks in the server logs, server RSS and CPU. Needs Debian's
postgresql (and nginx for postgres2); only loopback is used. Not part of CI's timings
(tests/test_bench_board.py runs a small smoke of it).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests"), str(ROOT / "deploy")]

from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.exceptions import WebSocketException  # noqa: E402
from workshop.client import Session  # noqa: E402
from workshop.server import Sampler, Server, Target  # noqa: E402
from workshop.stats import percentile  # noqa: E402

from gdcore.board import Store, schema  # noqa: E402

DB_ERRORS = ("OperationalError", "database is locked", "IntegrityError", "psycopg", "Traceback")


def set_value(session: Session, key: str, **value) -> None:
    node = session.find(key)
    if node is None:
        raise LookupError(f"no widget keyed {key!r} on {session.page}")
    session.widgets[node.proto.id] = WidgetState(id=node.proto.id, **value)


class Learner:
    def __init__(self, i: int, rng: random.Random) -> None:
        self.name, self.rng = f"L{i:03d}", rng
        self.joined = False
        self.checks: list[float | None] = []  # latency of each Check (None: no answer in time)
        self.error: str | None = None

    async def attend(self, url: str, code: str, start: float, deadline: float, timeout: float) -> None:
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        session = Session(url, "exercises")
        session.query_string = f"room={code}"
        try:
            await session.open(timeout)
            set_value(session, "w.board.nickname", string_value=self.name)
            join = await session.click("b.board.join", timeout)
            self.joined = join.run is not None and session.find("b.board.leave") is not None
            if not self.joined:
                self.error = "join not answered" if join.run is None else "not in the room after Join"
                return
            next_at = time.perf_counter() + self.rng.uniform(2, 4)
            while next_at < deadline and not session.closed:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                set_value(session, "w.ex.predict.loss", double_value=round(self.rng.uniform(0.5, 5.0), 3))
                click = await session.click("b.ex.predict.check", timeout)
                self.checks.append(click.latency)
                next_at = max(time.perf_counter(), next_at + self.rng.uniform(2, 4))
        except (OSError, TimeoutError, LookupError, WebSocketException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            await session.close()


async def board_tab(url: str, code: str, token: str, stop: asyncio.Event, timeout: float) -> list[float]:
    """The instructor's board: latency of each refresh (its auto-rerun sent -> the fragment run finished)."""
    session = Session(url, "class_board", record_sent=True)
    session.query_string = f"room={code}&token={token}"
    await session.open(timeout)
    await stop.wait()
    await session.close()
    sent = [t for t, msg in session.sent if msg.rerun_script.is_auto_rerun]
    out = []
    for run in session.runs:
        if run.fragment_ids and run.finished is not None and run.ok:
            before = [t for t in sent if t <= run.started]
            if before:
                out.append(run.finished - before[-1])
    return out


def stored_rows(url: str, code: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(schema.events)
                                .where(schema.events.c.room_code == code)).scalar()
    finally:
        engine.dispose()


async def settle_rows(url: str, code: str, expected: int, timeout: float = 30.0) -> int:
    """Rows in the store once they stop changing (or reach what was sent), polling the database."""
    deadline, last, same = time.monotonic() + timeout, -1, 0
    while time.monotonic() < deadline:
        n = await asyncio.to_thread(stored_rows, url, code)
        same = same + 1 if n == last else 0
        if n >= expected and same >= 1 or same >= 5:
            return n
        last = n
        await asyncio.sleep(0.5)
    return last


def log_problems(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for line in text.splitlines():
            if any(marker in line for marker in DB_ERRORS):
                found.append(line.strip()[:200])
    return found[:10]


async def scenario(name: str, db_url: str, opts) -> dict:
    os.environ["GDCORE_BOARD_URL"] = db_url  # the app processes started below inherit it
    store = Store(sa.create_engine(db_url))
    code, token = store.create_room("linear_regression")
    store.engine.dispose()
    servers, deployment = [], None
    if name == "postgres2":
        from local import LocalDeployment
        deployment = LocalDeployment(2).start()
        target = Target(deployment.url, [p.pid for p in deployment.apps])
    else:
        server = Server(ROOT / "streamlit_app.py", ["--server.fileWatcherType", "none"])
        servers.append(server)
        target = Target(server.start(), [server.proc.pid])
    try:
        for page in ("exercises", "class_board"):  # imports and compiled code paid before the room arrives
            warm = Session(target.url, page)
            await warm.open(opts.timeout)
            await warm.close()
        rng = random.Random(opts.seed)
        t0 = time.perf_counter() + 1.0
        deadline = t0 + opts.duration
        learners = [Learner(i, random.Random(rng.random())) for i in range(opts.learners)]
        sampler, stop = Sampler(target.pids), asyncio.Event()
        sampling = asyncio.create_task(sampler.run(stop))
        board_stop = asyncio.Event()
        board = asyncio.create_task(board_tab(target.url, code, token, board_stop, opts.timeout))
        await asyncio.gather(*(p.attend(target.url, code, t0 + rng.uniform(0, opts.ramp), deadline, opts.timeout)
                               for p in learners))
        board_stop.set()
        refresh = await board
        stop.set()
        await sampling
        answered = sum(1 for p in learners for c in p.checks if c is not None)
        sent = sum(len(p.checks) for p in learners)
        rows = await settle_rows(db_url, code, sent)
        logs = [s.log_text() for s in servers]
        if deployment is not None:
            logs += [path.read_text(errors="replace") for path in sorted(deployment.dir.glob("app-*.log"))]
        latencies = [c for p in learners for c in p.checks if c is not None]
        return {
            "scenario": name, "learners": opts.learners, "duration_s": opts.duration,
            "joined": sum(p.joined for p in learners),
            "errors": [p.error for p in learners if p.error][:5],
            "results_sent": sent, "results_answered": answered, "rows_stored": rows,
            "exactly_once": rows == sent,
            "board_refreshes": len(refresh),
            "board_refresh_s": {"p50": percentile(refresh, 50), "p95": percentile(refresh, 95),
                                "max": max(refresh) if refresh else None},
            "check_s": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
            "db_errors_in_logs": log_problems(logs),
            "server": sampler.summary(),
        }
    finally:
        for server in servers:
            server.stop()
        if deployment is not None:
            deployment.stop()
        os.environ.pop("GDCORE_BOARD_URL", None)


def fmt(v) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def markdown(results: list[dict]) -> str:
    lines = ["| scenario | learners | joined | results sent / stored | exactly once "
             "| board refresh p50 / p95 / max (s) | Check p50 / p95 (s) | DB errors | RSS peak MB | CPU mean % |",
             "|" + "---|" * 10]
    for r in results:
        b, c, s = r["board_refresh_s"], r["check_s"], r["server"]
        lines.append(f"| {r['scenario']} | {r['learners']} | {r['joined']} | {r['results_sent']} / {r['rows_stored']} "
                     f"| {r['exactly_once']} | {fmt(b['p50'])} / {fmt(b['p95'])} / {fmt(b['max'])} "
                     f"| {fmt(c['p50'])} / {fmt(c['p95'])} | {len(r['db_errors_in_logs'])} "
                     f"| {s.get('rss_mb', {}).get('peak', '-')} | {s.get('cpu_pct', {}).get('mean', '-')} |")
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--learners", type=int, default=100)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of Checks per scenario")
    p.add_argument("--ramp", type=float, default=10.0, help="learners arrive over this many seconds")
    p.add_argument("--stores", default="sqlite,postgres,postgres2")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds a page or a click may take")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path)
    opts = p.parse_args(argv)
    unknown = set(opts.stores.split(",")) - {"sqlite", "postgres", "postgres2"}
    if unknown or opts.learners < 1 or opts.duration <= 0:
        p.error(f"unknown store {sorted(unknown)[0]}" if unknown else "--learners and --duration must be positive")
    return opts


async def main_async(opts) -> list[dict]:
    import tempfile

    from postgres_server import PostgresServer

    results, pg = [], None
    try:
        for name in opts.stores.split(","):
            if name == "sqlite":
                url = f"sqlite:///{tempfile.mkdtemp(prefix='gdcore-board-')}/board.db"
            else:
                pg = pg or PostgresServer().start()
                engine = sa.create_engine(pg.url)
                schema.metadata.drop_all(engine)  # each scenario starts from an empty database
                engine.dispose()
                url = pg.url
            print(f"-- {name}: {opts.learners} learners, {opts.duration:.0f} s (load average {os.getloadavg()[0]:.2f})",
                  file=sys.stderr)
            results.append(await scenario(name, url, opts))
    finally:
        if pg is not None:
            pg.stop()
    return results


def main(argv=None) -> int:
    opts = parse_args(argv)
    results = asyncio.run(main_async(opts))
    print(markdown(results))
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2))
    return 0 if all(r["exactly_once"] and not r["db_errors_in_logs"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
