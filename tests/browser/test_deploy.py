"""gdcore behind nginx, for real on loopback: two `streamlit run` processes and Debian's nginx, started
by deploy/local.py with deploy/nginx.conf.template (the configuration compose.yaml uses), and Chromium.

Through nginx: a share link opens with its state, Step and Run to end work, an upload reaches the
session's process, every request of one browser goes to one process (websocket included), and
different browsers are spread over both processes. Which process answered is read from nginx's
access log ($upstream_addr per request, keyed by the affinity cookie).

Locally the tests skip with a reason when nginx or Chromium is missing; with GDCORE_REQUIRE_BROWSER=1
(set by .ci/run) that is a failure instead. Chromium is the browser tests' own (tests/browser/conftest.py):
one Playwright per test session.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import time
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails under CI) with the reason
    expect = None

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


local = _load("gdcore_deploy_local", ROOT / "deploy" / "local.py")
_bconf = _load("gdcore_browser_conftest", ROOT / "tests" / "browser" / "conftest.py")
_bpages = _load("gdcore_browser_pages", ROOT / "tests" / "browser" / "test_pages.py")
open_page, settle, step_count, button, click = (_bpages.open_page, _bpages.settle, _bpages.step_count,
                                                _bpages.button, _bpages.click)
STEP_RE = _bpages.STEP_RE

NGINX = os.environ.get("GDCORE_NGINX", local.NGINX)
COOKIE = "gdcore_route"
STREAM = "GET /_stcore/stream "

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def deployment(browser):  # Chromium first: without it nothing here can run, so nothing is started
    if not (Path(NGINX).exists() or shutil.which(NGINX)):
        _bconf._unavailable(f"nginx not found at {NGINX} (apt-get install -y nginx)")
    dep = local.LocalDeployment(2, nginx=NGINX)
    dep.start()  # stops what it started if it fails
    try:
        yield dep
        logs = "\n".join((dep.dir / f"app-{p}.log").read_text(errors="replace") for p in dep.app_ports)
        assert "Traceback" not in logs, dep.log_tails()
    finally:
        dep.stop()


def new_page(browser):
    """A page in a fresh context (its own cookies), collecting errors as the browser tests' page does,
    and the websockets it opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.console_errors, pg.sockets = [], []
    probe = ("/_stcore/health", "/_stcore/host-config")  # a page URL's own probes 404 first, as expected
    pg.on("response", lambda r: pg.console_errors.append(f"HTTP {r.status} {r.url}")
          if r.status >= 400 and not r.url.endswith(probe) else None)
    pg.on("console", lambda m: pg.console_errors.append(m.text)
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))

    def on_socket(ws):
        ws.frames_in = 0

        def got(_):
            ws.frames_in += 1
        ws.on("framereceived", got)
        pg.sockets.append(ws)

    pg.on("websocket", on_socket)
    pg.set_default_timeout(30_000)
    return pg


def route_of(pg) -> str:
    cookies = {c["name"]: c["value"] for c in pg.context.cookies()}
    assert COOKIE in cookies, f"nginx set no {COOKIE} cookie: {sorted(cookies)}"
    return cookies[COOKIE]


def entries_for(dep, route: str) -> list[dict]:
    return [e for e in dep.access_log() if e["route"] == route]


def one_upstream(dep, route: str) -> str:
    """The single app process that answered every request of this browser (asserted)."""
    entries = entries_for(dep, route)
    assert entries, f"no request with route {route} in nginx's access log"
    upstreams = {e["upstream"] for e in entries}
    assert len(upstreams) == 1, f"one browser's requests went to several processes: {entries}"
    (upstream,) = upstreams
    assert upstream in dep.upstreams, upstream
    return upstream


def wait_for_stream_entry(dep, route: str, timeout: float = 20.0) -> dict:
    """nginx logs a websocket when it closes: wait for that line (a state, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in entries_for(dep, route) if e["request"].startswith(STREAM)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no websocket in nginx's log for {route}:\n{dep.log_tails()}"
        time.sleep(0.2)


def wait_text(pg, text: str, timeout: float = 30_000) -> None:
    """Wait until the page's main area shows this text."""
    pg.wait_for_function("t => document.querySelector('[data-testid=stMain]')?.innerText.includes(t)",
                         arg=text, timeout=timeout)


def assert_clean(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, \
        pg.locator('[data-testid="stException"]').first.inner_text()
    errors = [e for e in pg.console_errors if "favicon" not in e]
    assert not errors, errors


def test_share_link_step_and_run_to_end_through_nginx(deployment, browser):
    pg = new_page(browser)
    try:
        link = "linear_regression?lr=0.05&num_epochs=300&steps=3"
        open_page(pg, deployment.url, link)
        assert_clean(pg)
        # the link's state: its lr, its run length, replayed to its step (the page draws in parts)
        expect(pg.locator('[data-testid="stMain"] input[aria-label="lr"]').first).to_have_value("0.05", timeout=30_000)
        wait_text(pg, "step 3 of 300")
        assert step_count(pg) == 3
        click(pg, "Step")
        wait_text(pg, "step 4 of 300")
        button(pg, "Run to end").click()
        wait_text(pg, "step 300 of 300", timeout=60_000)
        settle(pg)
        assert step_count(pg) == 300
        assert_clean(pg)

        # the session's websocket went through nginx's upgrade and carried the session
        sockets = [ws for ws in pg.sockets if ws.url.endswith("/_stcore/stream")]
        assert sockets, [ws.url for ws in pg.sockets]
        assert all(ws.url.startswith(f"ws://127.0.0.1:{deployment.port}/") for ws in sockets)
        assert not sockets[-1].is_closed() and sockets[-1].frames_in > 0

        # everything this browser asked for, the page itself first, came from one process
        route = route_of(pg)
        upstream = one_upstream(deployment, route)
        first = entries_for(deployment, route)[0]
        assert first["request"].startswith(f"GET /{link} "), first  # the cookie-less first request
    finally:
        pg.context.close()
    stream = wait_for_stream_entry(deployment, route)
    assert stream["status"] == "101" and stream["upstream"] == upstream, stream


def test_upload_reaches_the_sessions_process(deployment, browser, tmp_path):
    """The upload's PUT (a plain HTTP request, not the websocket) lands where the session lives."""
    csv = tmp_path / "points.csv"
    csv.write_text("x,y\n" + "".join(f"{x},{2 * x + 1}\n" for x in range(12)))
    pg = new_page(browser)
    try:
        open_page(pg, deployment.url, "linear_regression?recipe=upload")
        pg.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv))
        pg.get_by_text(re.compile(r"points\.csv: 12 rows")).first.wait_for(timeout=30_000)
        settle(pg)
        assert_clean(pg)
        route = route_of(pg)
        upstream = one_upstream(deployment, route)
        puts = [e for e in entries_for(deployment, route) if e["request"].startswith("PUT /_stcore/upload_file/")]
        assert puts and all(e["status"].startswith("2") for e in puts), puts
    finally:
        pg.context.close()
    assert wait_for_stream_entry(deployment, route)["upstream"] == upstream


def test_browsers_spread_over_processes_and_each_sticks_to_one(deployment, browser):
    """Fresh browsers land on both processes; each keeps to one, across a reload and its websocket."""
    routes: dict[str, str] = {}
    pages = []
    try:
        # each fresh browser is placed by its random cookie: open them until both processes have one
        # (at least 4; 16 all on one of two processes would be a 1-in-16,000 accident)
        while len(pages) < 16 and (len(pages) < 4 or len(set(routes.values())) < 2):
            pg = new_page(browser)
            pages.append(pg)
            open_page(pg, deployment.url, "")
            assert_clean(pg)
            route = route_of(pg)
            routes[route] = one_upstream(deployment, route)
        assert set(routes.values()) == set(deployment.upstreams), routes
        pg = pages[0]
        pg.reload()
        pg.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
        settle(pg)
        assert route_of(pg) in routes and one_upstream(deployment, route_of(pg)) == routes[route_of(pg)]
    finally:
        for pg in pages:
            pg.context.close()
    for route, upstream in routes.items():
        stream = wait_for_stream_entry(deployment, route)
        assert stream["status"] == "101" and stream["upstream"] == upstream, stream
        assert one_upstream(deployment, route) == upstream
