"""The class board's store on SQLite and on a real PostgreSQL: every rule, tried by someone breaking it."""
from __future__ import annotations

import math
import threading

import pytest
import sqlalchemy as sa
from postgres_server import REQUIRED as PG_REQUIRED
from postgres_server import PostgresServer

from gdcore.board import schema, store, tokens
from gdcore.board.store import BoardError, Learner, Store


class Clock:
    """Time the test moves by hand (the store never reads the wall clock itself)."""

    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def postgres():
    try:
        server = PostgresServer().start()
    except Exception as exc:  # not installed, or cannot start here
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required here but cannot start: {exc}")
        pytest.skip(f"PostgreSQL is not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = sa.create_engine(f"sqlite:///{tmp_path / 'board.db'}")
    else:
        server = request.getfixturevalue("postgres")
        eng = sa.create_engine(server.url)
        schema.metadata.drop_all(eng)  # each test starts from an empty database
        with eng.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS board_schema"))
    yield eng
    eng.dispose()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def board(engine, clock):
    return Store(engine, clock=clock)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_a_room_opens_only_with_its_token_and_the_token_is_not_stored(board, engine):
    code, token = board.create_room("linear_regression", "?lr=0.1&lock=1")
    assert tokens.normalize_code(code) == code
    room = board.room_for_board(code, token)
    assert (room.lesson, room.link, room.closed) == ("linear_regression", "?lr=0.1&lock=1", False)
    other_code, other_token = board.create_room("optimizers")
    for wrong in (None, "", token[:-1], token + "x", other_token, token.upper()):
        with pytest.raises(BoardError) as err:
            board.room_for_board(code, wrong)
        assert err.value.key == "bad_token"
    # an unknown room says the same as a wrong token: nothing is learned about which codes exist
    with pytest.raises(BoardError) as err:
        board.room_for_board("Z" * tokens.CODE_LENGTH, token)
    assert err.value.key == "bad_token"
    with engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.select(schema.rooms))]
    assert token not in repr(stored) and tokens.hash_token(token) in repr(stored)


def test_the_token_is_compared_in_constant_time(monkeypatch):
    calls = []
    real = tokens.hmac.compare_digest
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    token = tokens.new_token()
    assert tokens.token_matches(token, tokens.hash_token(token))
    assert not tokens.token_matches("guess", tokens.hash_token(token))
    assert len(calls) == 2 and all(len(a) == len(b) == 64 for a, b in calls)  # hashes, equal length


def test_a_learner_writes_only_their_own_rows(board, engine):
    code, _ = board.create_room("linear_regression")
    ann = board.join(code, "Ann", client="10.0.0.1")
    bob = board.join(code, "Bob", client="10.0.0.2")
    assert board.submit(ann, "1", "exercise", "predict", ok=True, answer={"loss": 2.5})
    forged = [Learner(room=code, id=bob.id, key=ann.key, nickname="Bob"),  # Ann's key on Bob's rows
              Learner(room=code, id=bob.id, key="", nickname="Bob"),
              Learner(room=code, id=bob.id, key=bob.key[:-1] + ("B" if bob.key.endswith("A") else "A"), nickname="Bob"),
              Learner(room=code, id=10_000, key=ann.key, nickname="x")]  # nobody
    other_code, _ = board.create_room("linear_regression")
    forged.append(Learner(room=other_code, id=ann.id, key=ann.key, nickname="Ann"))  # into another room
    for learner in forged:
        with pytest.raises(BoardError) as err:
            board.submit(learner, "2", "exercise", "predict", ok=True)
        assert err.value.key == "not_yours"
    assert count(engine, schema.events) == 1


def test_room_codes_cannot_be_guessed(board, clock):
    code, _ = board.create_room("linear_regression")
    wrong = [c * tokens.CODE_LENGTH for c in "ABCDEFGHJKMN" if c * tokens.CODE_LENGTH != code]
    for guess in wrong[: store.JOIN_FAILURES]:
        with pytest.raises(BoardError) as err:
            board.join(guess, "", client="attacker")
        assert err.value.key == "no_room"
    # the next try is refused even with the right code, until the window has passed
    with pytest.raises(BoardError) as err:
        board.join(code, "", client="attacker")
    assert err.value.key == "too_many_joins"
    assert board.join(code, "", client="someone else").room == code  # others are not locked out
    clock.t += store.JOIN_WINDOW_S + 1
    assert board.join(code, "", client="attacker").room == code
    # at the allowed rate, one client finding one of 100 open rooms takes centuries on average
    codes = len(tokens.CODE_ALPHABET) ** tokens.CODE_LENGTH
    minutes = codes / 100 / 2 / (store.JOIN_FAILURES / (store.JOIN_WINDOW_S / 60))
    assert minutes / (60 * 24 * 365) > 100


def test_typed_codes_are_forgiven_case_spaces_and_dashes(board):
    code, _ = board.create_room("linear_regression")
    assert board.join(f" {code[:3].lower()}-{code[3:]} ", "", client="c").room == code
    assert board.join(tokens.pretty_code(code), "", client="c").room == code


def test_nicknames_are_capped_and_kept_as_plain_text(board):
    code, token = board.create_room("linear_regression")
    raw = "<img src=x onerror=alert(1)>\x00\x1b[31m" + "ü" * 40
    learner = board.join(code, raw, client="c")
    assert len(learner.nickname) <= tokens.NICKNAME_MAX
    assert "\x00" not in learner.nickname and "\x1b" not in learner.nickname
    assert learner.nickname.startswith("<img src=x")  # kept as text: the board shows it, never renders it
    _, people, _ = board.rows(code, token)
    assert people[0]["nickname"] == learner.nickname
    assert board.join(code, None, client="c").nickname == ""  # anonymous


def test_a_learner_is_rate_limited_and_a_retry_is_counted_once(board, clock, engine):
    code, _ = board.create_room("linear_regression")
    ann = board.join(code, "Ann", client="c")
    for i in range(store.SUBMIT_BURST):
        assert board.submit(ann, str(i), "milestone", "final_loss", value=0.5)
    assert board.submit(ann, "0", "milestone", "final_loss", value=0.5) is False  # a retry, not a new one
    with pytest.raises(BoardError) as err:
        board.submit(ann, "new", "milestone", "final_loss", value=0.5)
    assert err.value.key == "too_fast"
    clock.t += store.SUBMIT_WINDOW_S + 0.1
    assert board.submit(ann, "new", "milestone", "final_loss", value=0.5)
    assert count(engine, schema.events) == store.SUBMIT_BURST + 1


def test_a_room_holds_a_bounded_number_of_learners(board, monkeypatch):
    monkeypatch.setattr(store, "ROOM_MAX_LEARNERS", 3)
    code, _ = board.create_room("linear_regression")
    for i in range(3):
        board.join(code, f"L{i}", client=f"c{i}")
    with pytest.raises(BoardError) as err:
        board.join(code, "one too many", client="c9")
    assert err.value.key == "room_full"


def test_answers_are_stored_as_data_never_code(board):
    code, token = board.create_room("linear_regression")
    ann = board.join(code, "Ann", client="c")
    board.submit(ann, "1", "exercise", "predict", ok=False,
                 answer={"loss": 1.25, "note": "x" * 500, "nan": math.nan, "obj": object(), "nested": {"a": 1},
                         "k" * 100: 1, "ok": True})
    _, _, happened = board.rows(code, token)
    assert happened[0]["answer"] == {"loss": 1.25, "note": "x" * 100, "nan": None, "ok": True}
    for bad_name in ("", "a b", "x" * 41, "<script>", "drop;table"):
        with pytest.raises(BoardError) as err:
            board.submit(ann, "2", "exercise", bad_name)
        assert err.value.key == "bad_name"
    with pytest.raises(BoardError):
        board.submit(ann, "2", "code", "predict")


def test_closing_and_clearing_a_room(board, engine):
    code, token = board.create_room("linear_regression")
    ann = board.join(code, "Ann", client="c")
    board.submit(ann, "1", "exercise", "predict", ok=True)
    board.close(code, token)
    for attempt in (lambda: board.join(code, "Bob", client="d"),
                    lambda: board.submit(ann, "2", "exercise", "predict", ok=True)):
        with pytest.raises(BoardError) as err:
            attempt()
        assert err.value.key == "room_closed"
    assert board.room_for_board(code, token).closed  # the board stays readable
    with pytest.raises(BoardError):
        board.clear(code, "not the token")
    assert count(engine, schema.events) == 1
    board.clear(code, token)
    assert count(engine, schema.events) == 0 and count(engine, schema.learners) == 0
    assert board.room_for_board(code, token).code == code


def test_rooms_expire_and_are_deleted_with_their_data(board, clock, engine):
    old, old_token = board.create_room("linear_regression")
    ann = board.join(old, "Ann", client="c")
    board.submit(ann, "1", "exercise", "predict", ok=True)
    clock.t += store.ROOM_TTL_S - 10
    new, new_token = board.create_room("optimizers")
    clock.t += 11  # the first room is a week old now
    with pytest.raises(BoardError):
        board.join(old, "Bob", client="d")
    with pytest.raises(BoardError):
        board.room_for_board(old, old_token)
    assert board.purge_expired() == 1
    assert count(engine, schema.rooms) == 1 and count(engine, schema.events) == 0
    assert count(engine, schema.learners) == 0
    assert board.room_for_board(new, new_token).lesson == "optimizers"


def test_concurrent_submissions_are_each_counted_once(engine, clock):
    """Twenty learners at once (each with two connections' worth of retries): exactly one row each."""
    first = Store(engine, clock=clock)
    second = Store(sa.create_engine(engine.url), clock=clock)  # another process's engine
    code, token = first.create_room("linear_regression")
    people = [first.join(code, f"L{i}", client=f"c{i}") for i in range(20)]
    errors = []

    def learner(i: int) -> None:
        try:
            for n in range(5):
                for which in (first, second):  # the same submission sent twice, through both processes
                    which.submit(people[i], str(n), "exercise", "predict", ok=n == 4, attempts=n + 1)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    second.engine.dispose()
    assert not errors, errors[:3]
    _, _, happened = first.rows(code, token)
    assert len(happened) == 100
    assert sorted({(e["learner_id"], e["attempts"]) for e in happened}) == sorted(
        (p.id, n) for p in people for n in range(1, 6))


def test_migration_is_idempotent_and_refuses_a_newer_schema(engine):
    assert schema.migrate(engine) == schema.SCHEMA_VERSION
    assert schema.migrate(engine) == schema.SCHEMA_VERSION
    with engine.begin() as conn:
        conn.execute(schema.version.update().values(version=schema.SCHEMA_VERSION + 1))
    with pytest.raises(schema.SchemaError):
        schema.migrate(engine)


def test_a_database_that_is_down_is_one_clear_refusal(tmp_path, clock):
    with pytest.raises(BoardError) as err:  # a folder that does not exist: SQLite cannot open the file
        Store(sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'board.db'}"), clock=clock)
    assert err.value.key == "store_down"
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'board.db'}")
    board = Store(eng, clock=clock)
    code, _ = board.create_room("linear_regression")
    ann = board.join(code, "Ann", client="c")
    (tmp_path / "board.db").unlink()
    (tmp_path / "board.db").mkdir()  # the file is gone and cannot come back
    eng.dispose()
    with pytest.raises(BoardError) as err:
        board.submit(ann, "1", "exercise", "predict", ok=True)
    assert err.value.key == "store_down"


def test_many_addresses_guessing_together_gain_nothing(board, clock, monkeypatch):
    monkeypatch.setattr(store, "JOIN_FAILURES_ALL", 25)
    code, _ = board.create_room("linear_regression")
    for i in range(25):  # one wrong code from each of 25 "different" clients
        with pytest.raises(BoardError) as err:
            board.join("A" * tokens.CODE_LENGTH, "", client=f"spoofed-{i}")
        assert err.value.key == "no_room"
    with pytest.raises(BoardError) as err:  # even a right code from a fresh address waits out the minute
        board.join(code, "", client="spoofed-new")
    assert err.value.key == "too_many_joins"
    clock.t += store.JOIN_WINDOW_S + 1
    assert board.join(code, "", client="spoofed-new").room == code
    # at the global rate, guessing one of 100 open rooms still takes decades on average
    minutes = len(tokens.CODE_ALPHABET) ** tokens.CODE_LENGTH / 100 / 2 / 600
    assert minutes / (60 * 24 * 365) > 10


def test_opening_a_room_deletes_the_expired_ones(board, clock, engine):
    old, _ = board.create_room("linear_regression")
    board.submit(board.join(old, "Ann", client="c"), "1", "exercise", "predict", ok=True)
    clock.t += store.ROOM_TTL_S + 1
    board.create_room("optimizers")
    assert count(engine, schema.rooms) == 1
    assert count(engine, schema.events) == 0 and count(engine, schema.learners) == 0
