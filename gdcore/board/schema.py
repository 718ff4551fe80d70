"""The board's tables (SQLAlchemy Core), created and migrated by the app on start.

SQLite and PostgreSQL both: plain types only, times as epoch seconds (float), answers as short JSON
text. Rows of a room are deleted by the store, in one transaction, rather than by cascades (SQLite
enforces foreign keys only when every connection asks for it).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

SCHEMA_VERSION = 1
ANSWER_MAX_CHARS = 2000

metadata = sa.MetaData()

version = sa.Table("board_schema", metadata, sa.Column("version", sa.Integer, nullable=False))

rooms = sa.Table(
    "board_rooms", metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False),  # sha256 of the instructor's token
    sa.Column("lesson", sa.String(40), nullable=False),  # the lesson's slug
    sa.Column("link", sa.String(2000), nullable=False, default=""),  # the learners' query string
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
    sa.Column("closed", sa.Boolean, nullable=False, default=False),
)

learners = sa.Table(
    "board_learners", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("room_code", sa.String(8), sa.ForeignKey("board_rooms.code"), nullable=False, index=True),
    sa.Column("key_hash", sa.String(64), nullable=False),  # sha256 of the learner's own secret
    sa.Column("nickname", sa.String(24), nullable=False, default=""),  # "" = anonymous
    sa.Column("joined_at", sa.Float, nullable=False),
)

events = sa.Table(
    "board_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("room_code", sa.String(8), sa.ForeignKey("board_rooms.code"), nullable=False, index=True),
    sa.Column("learner_id", sa.Integer, sa.ForeignKey("board_learners.id"), nullable=False),
    sa.Column("uid", sa.String(40), nullable=False),  # the learner's own number for it: sent twice, kept once
    sa.Column("kind", sa.String(16), nullable=False),  # "exercise" or "milestone"
    sa.Column("item", sa.String(40), nullable=False),  # exercise id or milestone name
    sa.Column("ok", sa.Boolean, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("hints", sa.Integer, nullable=False, default=0),
    sa.Column("answer", sa.String(ANSWER_MAX_CHARS), nullable=False, default="{}"),
    sa.Column("value", sa.Float, nullable=True),  # the milestone's number (lr, final loss, step...)
    sa.Column("at", sa.Float, nullable=False),
    sa.UniqueConstraint("learner_id", "uid", name="board_events_once"),
)

join_failures = sa.Table(  # wrong room codes, by client, for the join rate limit
    "board_join_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
)


class SchemaError(RuntimeError):
    """The database holds a newer board schema than this version of the app knows."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (the board) never block the learners' writes
    cur.execute("PRAGMA busy_timeout=5000")  # a writer waits for another process's write instead of failing
    cur.close()


def prepare(engine: sa.Engine) -> sa.Engine:
    """Per-connection settings an engine needs (SQLite: WAL and a busy timeout)."""
    if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _sqlite_pragmas):
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: sa.Engine) -> int:
    """Create the tables that are missing and record the schema version; returns the version.

    Safe to call from every process on every start: a second process racing the first one finds the
    tables made and retries once.
    """
    prepare(engine)
    for attempt in range(2):
        try:
            metadata.create_all(engine, checkfirst=True)
            with engine.begin() as conn:
                stored = conn.execute(sa.select(version.c.version)).scalar()
                if stored is None:
                    conn.execute(version.insert().values(version=SCHEMA_VERSION))
                    return SCHEMA_VERSION
                if stored > SCHEMA_VERSION:
                    raise SchemaError(f"the board's database has schema {stored}; this app knows {SCHEMA_VERSION}")
                # later versions: run the steps from `stored` up to SCHEMA_VERSION here, then record it
                return stored
        except SchemaError:
            raise
        except SQLAlchemyError:
            if attempt:
                raise
    return SCHEMA_VERSION
