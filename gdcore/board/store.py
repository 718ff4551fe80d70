"""Rooms, learners and their results in the database, with every rule a visitor could try to break.

- Only the instructor's token opens a room's board, closes or clears it (stored hashed, compared in
  constant time).
- A learner writes only their own rows: joining returns a learner secret, stored hashed, that every
  submission must present.
- Room codes cannot be enumerated: a client that types `JOIN_FAILURES` wrong codes within a minute is
  refused until the minute has passed (31**8 codes at 10 a minute is centuries), and all clients
  together get `JOIN_FAILURES_ALL` a minute (a visitor with many addresses gains nothing).
- Per-learner and per-room limits; rooms expire and are deleted with their data.

Every method takes its time from `clock` (epoch seconds), so tests can move time instead of waiting.
A database that cannot be reached raises BoardError("store_down"): the page says one line and the
lesson goes on.
"""
from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import tokens
from .schema import ANSWER_MAX_CHARS, events, join_failures, learners, migrate, rooms

ROOM_TTL_S = 7 * 24 * 3600  # rooms (and everything in them) are deleted a week after they open
ROOM_MAX_LEARNERS = 300
JOIN_FAILURES = 10  # wrong codes a client may type ...
JOIN_WINDOW_S = 60.0  # ... within this many seconds
JOIN_FAILURES_ALL = 600  # wrong codes from everyone together within the window: beyond it, joins pause
SUBMIT_BURST = 10  # submissions a learner may make ...
SUBMIT_WINDOW_S = 10.0  # ... within this many seconds (about one a second, with room for a burst)
KINDS = ("exercise", "milestone")
NAME_MAX = 40


class BoardError(Exception):
    """A refused request; `key` names the sentence under `board.errors.*`, `values` fill it."""

    def __init__(self, key: str, **values) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Room:
    code: str
    lesson: str
    link: str
    created_at: float
    expires_at: float
    closed: bool


@dataclass(frozen=True)
class Learner:
    """What a learner's session keeps after joining (the key is their proof of identity)."""

    room: str
    id: int
    key: str
    nickname: str


def clean_answer(answer: dict | None) -> str:
    """An answer as stored: short names to numbers, booleans or short strings; never code, never markup."""
    kept: dict[str, object] = {}
    for name, value in (answer or {}).items():
        if not isinstance(name, str) or len(name) > NAME_MAX:
            continue
        if isinstance(value, bool) or value is None:
            kept[name] = value
        elif isinstance(value, (int, float)):
            kept[name] = float(value) if math.isfinite(value) else None
        elif isinstance(value, str):
            kept[name] = value[:100]
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= ANSWER_MAX_CHARS else "{}"


def _name(value: str) -> str:
    value = str(value)
    if not value or len(value) > NAME_MAX or not all(ch.isalnum() or ch in "_.-" for ch in value):
        raise BoardError("bad_name")
    return value


class Store:
    """The board's database: one per server process, shared by its sessions (it holds no user state)."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        try:
            migrate(engine)
        except SQLAlchemyError as exc:
            raise BoardError("store_down") from exc

    # -- instructor ---------------------------------------------------------------------------------

    def create_room(self, lesson: str, link: str = "", ttl_s: float = ROOM_TTL_S) -> tuple[str, str]:
        """Open a room; returns (code, token). The token is shown once and kept only as its hash.

        Rooms past their expiry are deleted first (opening rooms is rare; expired ones are already
        invisible to every other call).
        """
        self.purge_expired()
        token = tokens.new_token()
        now = self.clock()
        with self._write() as conn:
            for _ in range(20):  # a clash among ~9e8 codes is rare; never reuse a live one
                code = tokens.new_code()
                if conn.execute(sa.select(rooms.c.code).where(rooms.c.code == code)).first() is None:
                    break
            else:
                raise BoardError("store_down")
            conn.execute(rooms.insert().values(
                code=code, token_hash=tokens.hash_token(token), lesson=_name(lesson), link=str(link)[:2000],
                created_at=now, expires_at=now + ttl_s, closed=False))
        return code, token

    def room_for_board(self, code: str, token: str | None) -> Room:
        """The room, for the one holding its token; anyone else learns nothing (not even if it exists)."""
        with self._read() as conn:
            row = self._live_room(conn, code)
            if row is None or not tokens.token_matches(token, row.token_hash):
                raise BoardError("bad_token")
            return _room(row)

    def rows(self, code: str, token: str | None) -> tuple[Room, list[dict], list[dict]]:
        """(room, learners, events) as plain records, for the board and its CSV."""
        room = self.room_for_board(code, token)
        with self._read() as conn:
            people = [dict(r._mapping) for r in conn.execute(
                sa.select(learners.c.id, learners.c.nickname, learners.c.joined_at)
                .where(learners.c.room_code == room.code).order_by(learners.c.id))]
            happened = [dict(r._mapping) for r in conn.execute(
                sa.select(events.c.learner_id, events.c.kind, events.c.item, events.c.ok, events.c.attempts,
                          events.c.hints, events.c.answer, events.c.value, events.c.at)
                .where(events.c.room_code == room.code).order_by(events.c.at, events.c.id))]
        for e in happened:
            e["answer"] = json.loads(e["answer"] or "{}")
        return room, people, happened

    def close(self, code: str, token: str | None) -> None:
        """No more joins or submissions; the board stays readable until the room expires."""
        room = self.room_for_board(code, token)
        with self._write() as conn:
            conn.execute(rooms.update().where(rooms.c.code == room.code).values(closed=True))

    def clear(self, code: str, token: str | None) -> None:
        """Delete every learner and result of the room; the room stays open under the same code."""
        room = self.room_for_board(code, token)
        with self._write() as conn:
            _delete_contents(conn, [room.code])

    def purge_expired(self) -> int:
        """Delete expired rooms with all their data, and old join failures; returns rooms deleted."""
        now = self.clock()
        with self._write() as conn:
            codes = [r.code for r in conn.execute(sa.select(rooms.c.code).where(rooms.c.expires_at <= now))]
            if codes:
                _delete_contents(conn, codes)
                conn.execute(rooms.delete().where(rooms.c.code.in_(codes)))
            conn.execute(join_failures.delete().where(join_failures.c.at < now - 3600))
        return len(codes)

    # -- learners -----------------------------------------------------------------------------------

    def join(self, code: str, nickname: str | None, client: str) -> Learner:
        """Join a room by its code; `client` names the visitor for the rate limit (their address)."""
        now = self.clock()
        who = tokens.hash_token(client)
        with self._write() as conn:
            recent = conn.execute(sa.select(sa.func.count()).select_from(join_failures).where(
                join_failures.c.client == who, join_failures.c.at > now - JOIN_WINDOW_S)).scalar()
            if recent >= JOIN_FAILURES:
                raise BoardError("too_many_joins", seconds=int(JOIN_WINDOW_S))
            # many "clients" guessing at once (one visitor with many addresses): everyone waits a minute
            everyone = conn.execute(sa.select(sa.func.count()).select_from(join_failures).where(
                join_failures.c.at > now - JOIN_WINDOW_S)).scalar()
            if everyone >= JOIN_FAILURES_ALL:
                raise BoardError("too_many_joins", seconds=int(JOIN_WINDOW_S))
            canonical = tokens.normalize_code(code)
            row = self._live_room(conn, canonical) if canonical else None
            if row is None:  # counted (and committed) before the refusal is raised
                conn.execute(join_failures.insert().values(client=who, at=now))
        if row is None:
            raise BoardError("no_room")
        with self._write() as conn:
            row = self._live_room(conn, row.code, lock=True)
            if row is None:
                raise BoardError("no_room")
            if row.closed:
                raise BoardError("room_closed")
            count = conn.execute(sa.select(sa.func.count()).select_from(learners)
                                 .where(learners.c.room_code == row.code)).scalar()
            if count >= ROOM_MAX_LEARNERS:
                raise BoardError("room_full", max=ROOM_MAX_LEARNERS)
            key = tokens.new_token()
            name = tokens.clean_nickname(nickname)
            learner_id = conn.execute(learners.insert().values(
                room_code=row.code, key_hash=tokens.hash_token(key), nickname=name, joined_at=now)
            ).inserted_primary_key[0]
        return Learner(room=row.code, id=int(learner_id), key=key, nickname=name)

    def submit(self, learner: Learner, uid: str, kind: str, item: str, *, ok: bool | None = None,
               attempts: int = 0, hints: int = 0, answer: dict | None = None, value: float | None = None) -> bool:
        """Record one result of the learner's own; False when this uid was already recorded."""
        if kind not in KINDS:
            raise BoardError("bad_name")
        now = self.clock()
        values = dict(room_code=learner.room, learner_id=int(learner.id), uid=_name(uid), kind=kind,
                      item=_name(item), ok=None if ok is None else bool(ok),
                      attempts=max(0, min(int(attempts), 10_000)), hints=max(0, min(int(hints), 100)),
                      answer=clean_answer(answer),
                      value=float(value) if value is not None and math.isfinite(value) else None, at=now)
        try:
            with self._write() as conn:
                row = conn.execute(sa.select(learners.c.key_hash, learners.c.room_code)
                                   .where(learners.c.id == int(learner.id))).first()
                if row is None or row.room_code != learner.room or not tokens.token_matches(learner.key, row.key_hash):
                    raise BoardError("not_yours")
                room = self._live_room(conn, learner.room)
                if room is None:
                    raise BoardError("no_room")
                if room.closed:
                    raise BoardError("room_closed")
                if conn.execute(sa.select(events.c.id).where(events.c.learner_id == int(learner.id),
                                                              events.c.uid == values["uid"])).first():
                    return False  # a retry of one already in: not a new submission, not rate-limited
                recent = conn.execute(sa.select(sa.func.count()).select_from(events).where(
                    events.c.learner_id == int(learner.id), events.c.at > now - SUBMIT_WINDOW_S)).scalar()
                if recent >= SUBMIT_BURST:
                    raise BoardError("too_fast")
                conn.execute(events.insert().values(**values))
        except IntegrityError:  # the same uid again (a retried submission): it is in already
            return False
        return True

    # -- helpers ------------------------------------------------------------------------------------

    def _live_room(self, conn, code: str | None, lock: bool = False):
        query = sa.select(rooms).where(rooms.c.code == str(code or ""), rooms.c.expires_at > self.clock())
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()  # joins into one room take turns: the cap holds
        return conn.execute(query).first()

    def _write(self):
        return _guarded(self.engine.begin)

    def _read(self):
        return _guarded(self.engine.connect)


@contextlib.contextmanager
def _guarded(opener):
    """A connection in which any database failure becomes BoardError("store_down").

    An IntegrityError passes through: a retried submission's unique uid is not a failure.
    """
    try:
        with opener() as conn:
            yield conn
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise BoardError("store_down") from exc


def _delete_contents(conn, codes: list[str]) -> None:
    conn.execute(events.delete().where(events.c.room_code.in_(codes)))
    conn.execute(learners.delete().where(learners.c.room_code.in_(codes)))


def _room(row) -> Room:
    return Room(code=row.code, lesson=row.lesson, link=row.link, created_at=row.created_at,
                expires_at=row.expires_at, closed=bool(row.closed))
