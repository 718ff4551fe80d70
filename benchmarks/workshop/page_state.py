"""The page as a browser tab keeps it, built from the ForwardMsgs the server sends: the element tree
by delta path, the value of every widget drawn, the script runs with their bytes and the step
counter each showed, the page's script hash and query string.

`PageState` reads messages and sends nothing; `workshop.client.Session` adds the socket, the
requests and the run_every timers.
"""
from __future__ import annotations

import re
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id

from .messages import MessageCache, widget_value
from .records import Exceptions, Run

ROOT = Path(__file__).resolve().parents[2]


def _status_pattern() -> re.Pattern:
    """The lesson status line ("step **12** of 3,000") as a regex, built from the English locale.

    The line is `ui.step_of` in gdcore/locales/en/ui.toml; reading it keeps the client in step
    with the app's wording. Captions and success boxes are searched; see `PageState._saw_element`.
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


class PageState:
    """What one tab holds of its page; `_receive` takes each frame the server sends."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.widgets: dict[str, WidgetState] = {}  # the browser's widget values, by widget id
        self.cache = MessageCache()
        self.runs: list[Run] = []
        self.page_script_hash = ""
        self.query_string = ""
        self.max_cache_age = 2
        self.bytes_received = 0
        self.exceptions = Exceptions()
        self._new_session_seen = False
        self._frame_bytes = 0

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

    # reading the server's messages --------------------------------------------------------------------

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
        if not run.fragment_ids:  # a full run names the page
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
