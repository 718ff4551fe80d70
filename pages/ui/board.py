"""The class board's glue for pages: the store, joining a room, and results sent as they happen.

A learner's results wait in the session's outbox until the store has them: a store that is down or
busy costs one caption line, never the lesson, and nothing is lost while the session lives.
"""
from __future__ import annotations

import ipaddress
import itertools
import os
from pathlib import Path

import streamlit as st

from gdcore.board import BoardError, Store, tokens
from gdcore.reference import least_squares
from pages.ui.state import tr

OUTBOX = "_board.outbox"
LEARNER = "_board.learner"
NOTICE = "_board.notice"
_uids = itertools.count(1)
LEAST_SQUARES = ("mse", "half_squared")  # losses whose optimum is the closed-form least-squares solution
OPTIMUM_TOLERANCE = 0.01  # a finished run "reached the optimum" within 1 % of the least-squares loss


def _default_url() -> str:
    """SQLite in a file beside the app's data, unless GDCORE_BOARD_URL or secrets name a database."""
    folder = Path(os.environ.get("GDCORE_DATA_DIR") or Path.home() / ".gdcore")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'board.db'}"


def _has_secret() -> bool:
    try:
        return "board" in st.secrets.get("connections", {})
    except Exception:  # no secrets file at all
        return False


@st.cache_resource(show_spinner=False)
def _store_cached(url: str | None) -> Store:
    """One store per database for the whole process (None: the URL in secrets.toml's [connections.board])."""
    conn = st.connection("board", type="sql") if url is None else st.connection(f"board:{url}", type="sql", url=url)
    board = Store(conn.engine)  # raises BoardError("store_down"): not cached, tried again next time
    board.purge_expired()  # once per process start (and at every room opened): expired rooms go
    return board


def store() -> Store | None:
    """The process's store, or None (and a notice) while the database cannot be reached."""
    url = os.environ.get("GDCORE_BOARD_URL") or (None if _has_secret() else _default_url())
    try:
        return _store_cached(url)
    except BoardError as exc:
        st.session_state[NOTICE] = exc.key
        return None
    except Exception:  # a bad URL or a missing driver: the lessons go on without the board
        st.session_state[NOTICE] = "store_down"
        return None


def client() -> str:
    """Who is joining, for the join rate limit.

    The peer's address; behind the deployment's nginx the peer is loopback, and nginx's X-Real-IP
    (which it sets itself, replacing whatever the visitor sent) names the visitor instead. A visitor
    who reaches the app directly cannot choose their key by sending headers.
    """
    peer = st.context.ip_address
    try:
        if peer and not ipaddress.ip_address(str(peer)).is_loopback:
            return str(peer)
    except ValueError:  # not an address (no socket behind this session)
        peer = None
    headers = st.context.headers or {}
    return (headers.get("X-Real-IP") or "").strip()[:64] or peer or "local"


def learner():
    return st.session_state.get(LEARNER)


def join(code: str, nickname: str) -> None:
    board = store()
    if board is None:
        return
    try:
        st.session_state[LEARNER] = board.join(code, nickname, client())
        st.session_state.pop(NOTICE, None)
    except BoardError as exc:
        st.session_state[NOTICE] = (exc.key, exc.values)


def leave() -> None:
    st.session_state.pop(LEARNER, None)
    st.session_state.pop(OUTBOX, None)


def report(kind: str, item: str, **fields) -> None:
    """Queue a result for the room (if this learner is in one) and try to send what is queued."""
    if learner() is None:
        return
    st.session_state.setdefault(OUTBOX, []).append((f"{id(st.session_state):x}-{next(_uids)}", kind, item, fields))
    flush()


def flush() -> None:
    """Send queued results; keep them while the store is busy or down, drop them if the room is gone."""
    who, queue = learner(), st.session_state.get(OUTBOX)
    if who is None or not queue:
        return
    board = store()
    if board is None:
        return
    while queue:
        uid, kind, item, fields = queue[0]
        try:
            board.submit(who, uid, kind, item, **fields)
        except BoardError as exc:
            st.session_state[NOTICE] = (exc.key, exc.values)
            if exc.key in ("store_down", "too_fast"):
                return  # kept: sent with a later rerun
            if exc.key in ("not_yours", "no_room", "room_closed"):
                leave()
                return
        queue.pop(0)
    st.session_state.pop(NOTICE, None)


def _escape_markdown(text: str) -> str:
    """A nickname inside a markdown line stays the characters typed (no link, no bold, no HTML)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~:$" else ch for ch in text)


def sidebar() -> None:
    """The room box: join by code (a link's ?room= fills it in), or who you are in which room."""
    T = tr()
    if st.query_params.get("token"):  # the instructor's board, not a learner's page
        return
    linked = st.query_params.get("room")
    who = learner()
    if who is None and not linked and not st.session_state.get("w.board.code"):
        return
    st.divider()
    if who is not None:
        name = _escape_markdown(who.nickname) if who.nickname else T("board.anonymous")
        st.caption(T("board.in_room", code=tokens.pretty_code(who.room), name=name))
        st.button(T("board.leave"), key="b.board.leave", on_click=leave, icon=":material/logout:")
    else:
        st.session_state.setdefault("w.board.code", linked or "")
        st.text_input(T("board.code"), key="w.board.code", max_chars=20)
        st.text_input(T("board.nickname"), key="w.board.nickname", max_chars=tokens.NICKNAME_MAX,
                      placeholder=T("board.nickname_placeholder"))
        st.button(T("board.join"), key="b.board.join", icon=":material/group_add:", on_click=lambda: join(
            st.session_state.get("w.board.code") or "", st.session_state.get("w.board.nickname") or ""))
    notice = st.session_state.get(NOTICE)
    if notice:
        key, values = notice if isinstance(notice, tuple) else (notice, {})
        st.caption(T(f"board.errors.{key}", **values))
    flush()


def run_milestones(lesson_key: str, run) -> None:
    """A lesson run that diverged or finished, once per run: the lr, where it stopped, the limit."""
    if learner() is None or run is None or not run.step_count:
        return
    item = "diverged" if run.status == "diverged" else "finished" if run.done else None
    if item is None:
        return
    seen = st.session_state.setdefault("_board.reported", set())
    mark = (lesson_key, id(run), item, run.step_count)
    if mark in seen:
        return
    seen.add(mark)
    losses = run.losses()
    final = float(losses[-1]) if len(losses) else None
    answer = {"lesson": lesson_key, "step": run.step_count, "optimizer": run.config.optimizer, "loss": final,
              "limit": run.stability_limit()}
    if item == "finished" and final is not None and run.config.task == "linreg" and run.config.loss in LEAST_SQUARES:
        best = least_squares(run.data.X, run.data.y).loss(run.config.loss)  # the closed form, for this data
        answer["optimum"] = best
        answer["reached"] = final - best <= OPTIMUM_TOLERANCE * max(best, 1e-12)
    report("milestone", item, value=float(run.config.lr), answer=answer)


def race_winner(race: dict) -> None:
    """The optimizer race's result: which runner ended lowest, and its final loss."""
    finals = {name: float(run.losses()[-1]) for name, run in race.items() if run.step_count}
    if finals:
        winner = min(finals, key=finals.get)
        report("milestone", "race_winner", value=finals[winner],
               answer={"winner": winner, "steps": race[winner].step_count, "runners": len(finals)})
