"""A browser-like Streamlit client over the websocket protocol, for load tests (bench_workshop.py).

One `Session` is one browser tab. It does what Streamlit's own frontend (1.67) does, read from
its source (`streamlit/web/server/starlette/starlette_websocket.py`, `runtime/app_session.py`,
the frontend bundle in `streamlit/static`):

- opens the page over HTTP first (cookies: the XSRF token, a load balancer's affinity cookie),
  then the websocket `/_stcore/stream` with the page's Origin and subprotocols
  `["streamlit", <xsrf token>]`; like a browser it sends no websocket pings;
- asks for the page with a `rerun_script` BackMsg naming it by its URL path (`page_name`);
  later reruns carry the page's `page_script_hash` (from the `navigation` message, with
  st.navigation) and the query string of the last `page_info_changed`;
- keeps the element tree by delta path, the value of every widget it has seen (sent with every
  rerun, as the browser does), and drops what a finished run did not redraw;
- clicks a button by its user key (`b.linear_regression.step`): a WidgetState with `trigger_value`, plus
  the fragment id when the button was drawn inside an `st.fragment`;
- runs `st.fragment(run_every=...)` the way the browser does: an `auto_rerun` ForwardMsg starts
  a timer that sends `rerun_script(is_auto_rerun, fragment_id)` every `interval` seconds whether
  or not the last one finished, until `stop_auto_rerun` or the next full run;
- keeps the browser's ForwardMsg cache (large elements are sent once, then by `ref_hash`; the
  client lists the hashes it holds in every rerun and expires them after
  `maxCachedMessageAge` runs).

A run is what the server does between a `new_session` (tagged with the run's id and, for a
fragment run, its fragment ids) and the `script_finished` with the same id; a click is answered
by the first run that started after it was sent and finished successfully (a run cut off by the
next request ends FINISHED_EARLY_FOR_RERUN and answers nothing).

`python benchmarks/bench_workshop.py --browser-check` compares this client with Chromium on every
lesson page: the same step counts after each Step, the same click requests, the same tick pace.

The parts: workshop/page_state.py (the element tree, widget values and runs, from the server's
messages), workshop/messages.py (the widget-value codec and the message cache), workshop/records.py
(runs, clicks, exceptions as measured); this module adds the socket, the requests and the timers.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.request
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from .page_state import PageState
from .records import Click, Run

NO_PROXY = urllib.request.ProxyHandler({})  # loopback only: never through an environment proxy


class Session(PageState):
    """One browser tab on `base_url`/`page` (page: a URL path such as "linear_regression")."""

    def __init__(self, base_url: str, page: str, *, record_sent: bool = False) -> None:
        super().__init__()
        self.base = base_url.rstrip("/")
        self.page = page
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, task)
        self.ticks_sent = 0
        self.closed_by_server: int | None = None  # the close code when the server ended the socket
        self.closed = False
        self.sent: list[tuple[float, BackMsg]] | None = [] if record_sent else None  # (perf_counter, message)
        self._changed = asyncio.Condition()
        self._leaving = False  # set when this side closes or drops the socket

    # connecting -----------------------------------------------------------------------------------

    def _http_get(self, path: str, jar: http.cookiejar.CookieJar, timeout: float) -> None:
        opener = urllib.request.build_opener(NO_PROXY, urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.base}/{path}", timeout=timeout) as resp:
            resp.read()

    async def connect(self, timeout: float = 60.0) -> None:
        """Load the page over HTTP as a browser does, then open the websocket."""
        jar = http.cookiejar.CookieJar()
        for path in (self.page, "_stcore/health", "_stcore/host-config"):
            await asyncio.to_thread(self._http_get, path, jar, timeout)
        cookies = {c.name: c.value for c in jar}
        parts = urlsplit(self.base)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
        self.ws = await connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream", origin=f"{parts.scheme}://{parts.netloc}",
            subprotocols=["streamlit", cookies.get("_streamlit_xsrf", "PLACEHOLDER_AUTH_TOKEN")],
            additional_headers=headers, proxy=None, open_timeout=timeout, max_size=None,
            ping_interval=None)  # a browser never pings; a starved server must not look dead
        self.reader = asyncio.create_task(self._read(), name=f"read {self.page}")

    async def open(self, timeout: float = 60.0) -> float:
        """Connect and ask for the page; seconds until its first full run finished."""
        t0 = time.perf_counter()
        await self.connect(timeout)
        await self.send_rerun(page_name=self.page)
        run = await self.wait_run(0, timeout, full=True)
        if run is None:
            raise TimeoutError(f"{self.page} did not finish a full run within {timeout:.0f} s")
        return run.finished - t0

    async def close(self) -> None:
        """Close the tab: a websocket close handshake."""
        self._leaving = True
        self._stop_timers()
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)

    def drop(self) -> None:
        """Vanish without closing: abort the TCP connection (a laptop lid shut, a lost network)."""
        self._leaving = True
        self._stop_timers()
        if self.ws is not None:
            self.ws.transport.abort()

    # sending --------------------------------------------------------------------------------------

    def context_info(self) -> ContextInfo:
        return ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US", url=f"{self.base}/{self.page}",
                           is_embedded=False, color_scheme="light")

    def widget_states(self, *extra: WidgetState) -> WidgetStates:
        """Every widget value the tab holds, with `extra` states (a trigger) replacing theirs."""
        replaced = {s.id for s in extra}
        return WidgetStates(widgets=[s for i, s in self.widgets.items() if i not in replaced] + list(extra))

    async def send_rerun(self, *extra: WidgetState, fragment_id: str = "", auto: bool = False,
                         page_name: str = "") -> None:
        """A `rerun_script` BackMsg as the frontend's sendRerunBackMsg builds it."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.widget_states.CopyFrom(self.widget_states(*extra))
        state.page_script_hash = "" if page_name else self.page_script_hash
        state.page_name = page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.cached_message_hashes.extend(self.cache.hashes())
        state.context_info.CopyFrom(self.context_info())
        if self.sent is not None:
            self.sent.append((time.perf_counter(), msg))
        self._new_session_seen = False
        await self.send_raw(msg.SerializeToString())

    async def send_raw(self, data: bytes | str) -> None:
        """Send one frame (bytes: binary, str: text); on a closed socket, nothing."""
        if self.closed:
            return
        try:
            await self.ws.send(data)
        except ConnectionClosed:
            pass  # the reader notes the close

    # clicking -------------------------------------------------------------------------------------

    async def press(self, key: str) -> Click:
        """Click the button keyed `key` as the browser does; the Click is answered later."""
        node = self.find(key)
        if node is None or node.kind != "button":
            raise LookupError(f"no button keyed {key!r} on {self.page}")
        if node.proto.disabled:  # a browser cannot click it either
            raise LookupError(f"the button keyed {key!r} on {self.page} is disabled")
        click = Click(key, time.perf_counter(), len(self.runs), self.counter)
        await self.send_rerun(WidgetState(id=node.proto.id, trigger_value=True), fragment_id=node.fragment_id)
        return click

    async def click(self, key: str, timeout: float) -> Click:
        """Press `key` and wait for the run that answers it (click.run stays None on timeout)."""
        click = await self.press(key)
        click.run = await self.wait_run(click.index, max(0.0, click.sent + timeout - time.perf_counter()))
        return click

    async def wait_run(self, index: int, timeout: float, *, full: bool = False) -> Run | None:
        """The first successful run started as number `index` or later (a full run if `full`)."""
        return await self.wait_until(
            lambda: next((r for r in self.runs[index:] if r.ok and not (full and r.fragment_ids)), None), timeout)

    async def wait_until(self, probe, timeout: float):
        """The first truthy value of `probe()`, tried now and after every finished run (None on
        timeout or close). It is kept when seen: later frames may change the page before this
        coroutine resumes."""
        found = None

        def check():
            nonlocal found
            found = found or probe()
            return found or self.closed

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
            except TimeoutError:
                pass
        return found or None

    async def wait_closed(self, timeout: float) -> bool:
        """Wait for the socket to close (the server's answer to a bad frame); True if it did."""
        await self.wait_until(lambda: self.closed, timeout)
        return self.closed

    # the reader -----------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                if self._receive(raw):
                    async with self._changed:
                        self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            if not self._leaving:  # the server (or the network) ended it
                self.closed_by_server = self.ws.close_code or 1006
            self._stop_timers()
            async with self._changed:
                self._changed.notify_all()

    def _on_new_session(self, msg: ForwardMsg) -> None:
        if not msg.metadata.run.fragment_ids:  # a full run: the browser clears every run_every timer
            self._stop_timers()
        super()._on_new_session(msg)

    def _on_auto_rerun(self, msg: ForwardMsg) -> None:
        fragment, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
        if not fragment or (fragment in self.timers and self.timers[fragment][0] == interval):
            return
        self._stop_timer(fragment)
        self.timers[fragment] = (interval, asyncio.create_task(self._tick(fragment, interval)))

    def _on_stop_auto_rerun(self, msg: ForwardMsg) -> None:
        for fragment in msg.stop_auto_rerun.fragment_ids:
            self._stop_timer(fragment)

    # run_every timers -----------------------------------------------------------------------------

    async def _tick(self, fragment: str, interval: float) -> None:
        """setInterval(interval): a fixed period, not waiting for the last tick's run."""
        start = time.perf_counter()
        k = 0
        while not self.closed:
            k += 1
            await asyncio.sleep(max(0.0, start + k * interval - time.perf_counter()))
            self.ticks_sent += 1
            await self.send_rerun(fragment_id=fragment, auto=True)

    def _stop_timer(self, fragment: str) -> None:
        entry = self.timers.pop(fragment, None)
        if entry is not None:
            entry[1].cancel()

    def _stop_timers(self) -> None:
        for fragment in list(self.timers):
            self._stop_timer(fragment)
