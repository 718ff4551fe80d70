"""Fixtures for the real-browser tests: a `streamlit run` server on loopback and headless Chromium.

Locally the tests skip with a reason when Chromium cannot start; with GDCORE_REQUIRE_BROWSER=1
(set by .ci/run) that is a failure instead.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("GDCORE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
REQUIRED = os.environ.get("GDCORE_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"browser tests are required here but cannot run: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(ready: bool = True):
    """`streamlit run streamlit_app.py` on a free loopback port, a new process; yields its base URL.

    `ready`: wait, as the deployments do, until the process has run the app once
    (/_stcore/script-health-check, enabled in .streamlit/config.toml); until then Streamlit is in
    its legacy pages/ folder mode.
    """
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "GDCORE_DATA_DIR": tempfile.mkdtemp(prefix="gdcore-data-")})  # the board's SQLite file
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"streamlit exited early:\n{log.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy within 60 s")
    if ready:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=90) as r:
                assert r.status == 200
        except (OSError, AssertionError) as exc:
            proc.kill()
            pytest.fail(f"the app's first run failed: {exc}")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server():
    """One server for the session's tests (already past its first session after the first test)."""
    with streamlit_server() as url:
        yield url


@pytest.fixture()
def fresh_server(browser):  # Chromium first: without it there is nothing to start a server for
    """A server process of its own, started as the deployments start one: the test's browser is its
    first learner."""
    with streamlit_server() as url:
        yield url


@pytest.fixture()
def bare_server(browser):
    """A server process of its own, not waited on: the test's request is the first it has seen."""
    with streamlit_server(ready=False) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure means no browser here
        pw.stop()
        _unavailable(f"Chromium could not start: {exc}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture()
def page(browser):
    """A fresh 1280x800 page that collects console errors into page.console_errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.console_errors = []
    # Opening a page's own URL makes Streamlit's client probe <page>/_stcore/health and
    # host-config before the root ones; those 404s are expected. Any other failed request or
    # console error is collected.
    probe = ("/_stcore/health", "/_stcore/host-config")

    def on_response(resp):
        if resp.status >= 400 and not resp.url.endswith(probe):
            pg.console_errors.append(f"HTTP {resp.status} {resp.url}")

    pg.on("response", on_response)
    pg.on("console", lambda msg: pg.console_errors.append(msg.text)
          if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
