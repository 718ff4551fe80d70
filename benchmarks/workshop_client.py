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
- clicks a button by its user key (`b.linreg.step`): a WidgetState with `trigger_value`, plus
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
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import re
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
SUCCESS = frozenset({ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})
NO_PROXY = urllib.request.ProxyHandler({})  # loopback only: never through an environment proxy


def _status_pattern() -> re.Pattern:
    """The lesson status line ("step **12** of 3,000") as a regex, built from the English locale.

    The line is `ui.step_of` in gdcore/locales/en/ui.toml; reading it keeps the client in step
    with the app's wording. Captions and success boxes are searched; see `Session._read_counter`.
    """
    text = "step **{n:,}** of {total:,}"
    path = ROOT / "gdcore" / "locales" / "en" / "ui.toml"
    if path.exists():
        text = tomllib.loads(path.read_text(encoding="utf-8")).get("step_of", text)
    pattern = re.escape(text)
    for name in ("n", "total"):
        pattern = re.sub(r"\\\{" + name + r"[^}]*\\\}", r"([\\d,]+)", pattern)
    return re.compile(pattern)


STATUS_RE = _status_pattern()


# -- what the browser keeps ---------------------------------------------------------------------

@dataclass
class Node:
    """An element or block at one delta path, as the browser's element tree holds it."""
    kind: str  # the Element oneof ("button", "markdown", ...) or "block"
    proto: object | None  # the element's own proto (a Button, a Markdown, ...); None for blocks
    fragment_id: str  # the st.fragment it was drawn in ("" outside fragments)
    run_id: str  # the run that drew it last

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "")

    @property
    def user_key(self) -> str | None:
        return user_key_from_element_id(self.id) if self.id else None


def widget_value(kind: str, proto) -> WidgetState | None:
    """The value the browser reports for a freshly drawn widget (None: not a value widget).

    Buttons only ever send a trigger; kinds not listed keep the server's last value (the server
    then uses its own copy, which is what a browser that never touched them would send too).
    """
    state = WidgetState(id=proto.id)
    if kind == "number_input":
        value = proto.value if proto.HasField("value") else (proto.default if proto.HasField("default") else None)
        if value is not None:
            if proto.data_type == NumberInput.INT:
                state.int_value = int(value)
            else:
                state.double_value = value
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
    elif kind in ("text_input", "text_area"):
        state.string_value = proto.value if proto.set_value else proto.default
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        return None
    return state


class MessageCache:
    """The browser's ForwardMsg cache (frontend `ForwardMessageCache`).

    Cacheable messages (large `new_element` deltas) are kept by hash; the server then sends a
    small `ref_hash` message for any hash the client listed in its rerun request. After each
    finished run a message not used for more than `max_age` runs is dropped (for a fragment
    run, only messages of that fragment age).
    """

    def __init__(self) -> None:
        self.messages: dict[str, list] = {}  # hash -> [raw bytes, run count when last used, fragment id]
        self.run_count = 0
        self.misses = 0

    def resolve(self, msg: ForwardMsg, raw: bytes) -> ForwardMsg | None:
        """The full message for `msg` (itself, or the cached one a ref_hash points to)."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                entry = self.messages.get(msg.hash)
                if entry is None:
                    self.messages[msg.hash] = [raw, self.run_count, msg.delta.fragment_id]
                else:
                    entry[1] = self.run_count
            return msg
        entry = self.messages.get(msg.ref_hash)
        if entry is None:  # the browser shows "Cached ForwardMsg MISS" here
            self.misses += 1
            return None
        entry[1] = self.run_count
        full = ForwardMsg.FromString(entry[0])
        full.metadata.CopyFrom(msg.metadata)
        return full

    def finished_run(self, max_age: int, fragment_ids) -> None:
        self.run_count += 1
        for key, (_, used, fragment) in list(self.messages.items()):
            if fragment_ids and fragment not in fragment_ids:
                continue
            if self.run_count - used > max_age:
                del self.messages[key]

    def hashes(self) -> list[str]:
        return list(self.messages)


# -- what the client measures -------------------------------------------------------------------

@dataclass
class Run:
    """One script run as this client saw it, from its new_session to its script_finished."""
    index: int  # runs this session saw start before this one
    run_id: str
    fragment_ids: tuple[str, ...]
    started: float  # time.perf_counter() when its new_session arrived
    finished: float | None = None
    status: int | None = None
    bytes: int = 0  # every ForwardMsg byte received while it ran, new_session and script_finished included
    counter: tuple[int, int] | None = None  # (step, total) from the status line this run drew

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS


@dataclass
class Click:
    """One button press and the run that answered it (None while unanswered or timed out)."""
    key: str
    sent: float
    index: int  # runs the session had seen start when it was sent: the answer starts later
    before: tuple[int, int] | None  # the status line's (step, total) when it was sent
    run: Run | None = None

    @property
    def latency(self) -> float | None:
        return None if self.run is None else self.run.finished - self.sent

    @property
    def moved(self) -> int | None:
        """How far the step counter moved (None if either end was not shown)."""
        if self.run is None or self.before is None or self.run.counter is None:
            return None
        return self.run.counter[0] - self.before[0]


@dataclass
class Exceptions:
    """Exception elements (and compile errors) the server put on this session's screen."""
    shown: int = 0
    with_traceback: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, exc) -> None:
        self.shown += 1
        self.with_traceback += bool(exc.stack_trace)
        if len(self.samples) < 3:
            self.samples.append(f"{exc.type}: {exc.message[:200]}")


# -- the session ----------------------------------------------------------------------------------

class Session:
    """One browser tab on `base_url`/`page` (page: a URL path such as "linear_regression")."""

    def __init__(self, base_url: str, page: str, *, record_sent: bool = False) -> None:
        self.base = base_url.rstrip("/")
        self.page = page
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.widgets: dict[str, WidgetState] = {}  # the browser's widget values, by widget id
        self.cache = MessageCache()
        self.runs: list[Run] = []
        self.page_script_hash = ""
        self.query_string = ""
        self.max_cache_age = 2
        self.timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, task)
        self.ticks_sent = 0
        self.bytes_received = 0
        self.exceptions = Exceptions()
        self.closed_by_server: int | None = None  # the close code when the server ended the socket
        self.closed = False
        self.sent: list[tuple[float, BackMsg]] | None = [] if record_sent else None  # (perf_counter, message)
        self._changed = asyncio.Condition()
        self._new_session_seen = False
        self._leaving = False  # set when this side closes or drops the socket
        self._frame_bytes = 0

    # connecting ----------------------------------------------------------------------------

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

    # sending -------------------------------------------------------------------------------

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

    # reading the page ------------------------------------------------------------------------

    def find(self, key: str) -> Node | None:
        """The element whose user key is `key` (Streamlit's element ids end with the user key)."""
        return next((n for n in self.nodes.values() if n.user_key == key), None)

    def keys(self, pattern: str) -> list[str]:
        """User keys on screen that match a regex (e.g. r"^b\\.\\w+\\.step$")."""
        rx = re.compile(pattern)
        return sorted(n.user_key for n in self.nodes.values() if n.user_key and rx.search(n.user_key))

    @property
    def counter(self) -> tuple[int, int] | None:
        """(step, total) as the page last showed it."""
        return next((r.counter for r in reversed(self.runs) if r.ok and r.counter is not None), None)

    # clicking --------------------------------------------------------------------------------

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

    # the reader ------------------------------------------------------------------------------

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

    def _receive(self, raw: bytes) -> bool:
        """Handle one frame; True when it finished a run."""
        self.bytes_received += len(raw)
        self._frame_bytes = len(raw)
        if self.runs and self.runs[-1].finished is None:
            self.runs[-1].bytes += len(raw)
        msg = self.cache.resolve(ForwardMsg.FromString(raw), raw)
        kind = None if msg is None else msg.WhichOneof("type")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(msg)
        return kind == "script_finished"

    def _on_new_session(self, msg: ForwardMsg) -> None:
        run = msg.metadata.run
        if not run.fragment_ids:  # a full run: the browser clears every run_every timer
            self._stop_timers()
            self.page_script_hash = msg.new_session.page_script_hash
        self.max_cache_age = msg.new_session.config.max_cached_message_age or self.max_cache_age
        self.runs.append(Run(len(self.runs), run.script_run_id, tuple(run.fragment_ids), time.perf_counter(),
                             bytes=self._frame_bytes))
        self._new_session_seen = True

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        run_id = self.runs[-1].run_id if self.runs else ""
        path = tuple(msg.metadata.delta_path)
        if delta.WhichOneof("type") == "add_block":
            self.nodes[path] = Node("block", None, delta.fragment_id, run_id)
        elif delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            proto = getattr(element, kind)
            self.nodes[path] = Node(kind, proto, delta.fragment_id, run_id)
            self._saw_element(kind, proto)

    def _saw_element(self, kind: str, proto) -> None:
        wid = getattr(proto, "id", "")
        if wid and (wid not in self.widgets or getattr(proto, "set_value", False)):
            state = widget_value(kind, proto)
            if state is not None:
                self.widgets[wid] = state
        if kind == "exception":
            self.exceptions.add(proto)
        elif self.runs and self._shows_status(kind, proto):
            match = STATUS_RE.search(proto.body)
            if match:
                self.runs[-1].counter = tuple(int(g.replace(",", "")) for g in match.groups())

    @staticmethod
    def _shows_status(kind: str, proto) -> bool:
        """The status line is a caption, or a success box once the run is complete."""
        return (kind == "markdown" and proto.element_type == Markdown.CAPTION) or kind == "alert"

    def _on_script_finished(self, msg: ForwardMsg) -> None:
        if not self.runs or self.runs[-1].finished is not None:
            return
        run = self.runs[-1]
        run.finished, run.status = time.perf_counter(), msg.script_finished
        if run.ok:
            self._clear_stale(run)
        if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN and self._new_session_seen:
            self.cache.finished_run(self.max_cache_age, run.fragment_ids)

    def _clear_stale(self, run: Run) -> None:
        """Drop what this run did not redraw (frontend clearStaleNodes), then unused widget values."""
        frags = set(run.fragment_ids)
        self.nodes = {p: n for p, n in self.nodes.items()
                      if n.run_id == run.run_id or (frags and n.fragment_id not in frags)}
        live = {n.id for n in self.nodes.values()}
        self.widgets = {i: s for i, s in self.widgets.items() if i in live}

    def _on_navigation(self, msg: ForwardMsg) -> None:
        """With st.navigation the page's own hash arrives here; reruns name the page by it."""
        self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash

    def _on_page_info_changed(self, msg: ForwardMsg) -> None:
        self.query_string = msg.page_info_changed.query_string

    def _on_session_event(self, msg: ForwardMsg) -> None:
        if msg.session_event.WhichOneof("type") == "script_compilation_exception":
            self.exceptions.add(msg.session_event.script_compilation_exception)

    def _on_auto_rerun(self, msg: ForwardMsg) -> None:
        fragment, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
        if not fragment or (fragment in self.timers and self.timers[fragment][0] == interval):
            return
        self._stop_timer(fragment)
        self.timers[fragment] = (interval, asyncio.create_task(self._tick(fragment, interval)))

    def _on_stop_auto_rerun(self, msg: ForwardMsg) -> None:
        for fragment in msg.stop_auto_rerun.fragment_ids:
            self._stop_timer(fragment)

    # run_every timers --------------------------------------------------------------------------

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
