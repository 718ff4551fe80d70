"""The class board through the pages: a room opened, joined, answered into and read, on a real SQLite file."""
from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
import sqlalchemy as sa
from apptest_util import open_link, open_page

from gdcore.board import schema


@pytest.fixture
def board_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'board.db'}"
    monkeypatch.setenv("GDCORE_BOARD_URL", url)
    return url


def _start_room(lesson: str = "pages/views/linear_regression.py") -> tuple[dict, dict]:
    at = open_page("pages/views/instructor.py")
    at.selectbox(key="w.instructor.page").set_value(lesson.rsplit("/", 1)[-1].removesuffix(".py")).run()
    at.button(key="b.instructor.start_room").click().run()
    assert not at.exception, at.exception
    links = [c.value for c in at.code]
    learners = next(u for u in links if "room=" in u and "token=" not in u)
    board = next(u for u in links if "token=" in u)
    return dict(parse_qsl(urlsplit(learners).query)), dict(parse_qsl(urlsplit(board).query))


def _count(url: str, table) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    engine.dispose()
    return n


def test_an_answer_reaches_the_board(board_db):
    learner_q, board_q = _start_room()
    assert learner_q["room"] == board_q["room"] and "token" not in learner_q
    at = open_link("pages/views/linear_regression.py", learner_q)
    assert not at.exception
    at.text_input(key="w.board.nickname").set_value("Ann").run()
    at.button(key="b.board.join").click().run()
    assert any("Ann" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/views/exercises.py").run()
    at.number_input(key="w.ex.predict.loss").set_value(3.5).run()
    at.button(key="b.ex.predict.check").click().run()
    assert not at.exception, at.exception
    assert _count(board_db, schema.events) == 1
    board = open_link("pages/views/class_board.py", board_q)
    assert not board.exception, board.exception
    assert [m.value for m in board.metric][:2] == ["1", "1"]  # learners, results


def test_a_wrong_token_opens_nothing(board_db):
    _, board_q = _start_room()
    board = open_link("pages/views/class_board.py", {**board_q, "token": board_q["token"][:-2] + "xx"})
    assert not board.exception
    assert board.error and "not valid" in board.error[0].value
    assert not board.metric


def test_a_database_that_is_down_costs_one_line_and_the_lesson_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCORE_BOARD_URL", f"sqlite:///{tmp_path / 'missing' / 'board.db'}")
    at = open_link("pages/views/linear_regression.py", {"room": "ABCD2345"})
    at.button(key="b.board.join").click().run()
    assert not at.exception, at.exception
    assert any("not being saved" in c.value for c in at.sidebar.caption)
    at.button(key="b.linear_regression.step").click().run()  # the lesson itself is untouched
    assert at.session_state["_lesson.linear_regression"].run.step_count == 1


def test_a_diverged_run_reaches_the_board_with_its_lr_and_the_limit(board_db):
    learner_q, board_q = _start_room()
    at = open_link("pages/views/linear_regression.py", {**learner_q, "lr": "3"})
    at.button(key="b.board.join").click().run()
    run = at.session_state["_lesson.linear_regression"].run
    for _ in range(60):  # far past the stability limit: it blows up within a few dozen steps
        if run.status == "diverged":
            break
        at.button(key="b.linear_regression.step").click().run()
        run = at.session_state["_lesson.linear_regression"].run
    assert run.status == "diverged"
    at.run()  # a rerun after it: reported once only
    engine = sa.create_engine(board_db)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.events.c.item, schema.events.c.value, schema.events.c.answer)).all()
    engine.dispose()
    assert [(r.item, r.value) for r in rows] == [("diverged", 3.0)]
    assert f'"limit": {run.stability_limit()}' in rows[0].answer and f'"step": {run.step_count}' in rows[0].answer
    board = open_link("pages/views/class_board.py", board_q)
    assert not board.exception, board.exception
    # the progress bars (nobody has an exercise yet) and the room's lrs against the limit
    assert len(board.get("vega_lite_chart")) == 2


def test_a_finished_run_reports_whether_it_reached_the_least_squares_optimum(board_db):
    learner_q, _ = _start_room()
    at = open_link("pages/views/linear_regression.py", {**learner_q, "lr": "0.1", "num_epochs": "300", "steps": "300"})
    at.button(key="b.board.join").click().run()
    run = at.session_state["_lesson.linear_regression"].run
    assert run.done and run.status != "diverged"
    engine = sa.create_engine(board_db)
    with engine.connect() as conn:
        (row,) = conn.execute(sa.select(schema.events.c.item, schema.events.c.answer)).all()
    engine.dispose()
    answer = json.loads(row.answer)
    # the closed form, from numpy directly: mean squared residual of lstsq on [X, 1]
    X = run.data.X.double().numpy().reshape(len(run.data.y), -1)
    A = np.hstack([X, np.ones((len(X), 1))])
    y = run.data.y.double().numpy().reshape(-1)
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    best = float(np.mean((A @ theta - y) ** 2))
    assert row.item == "finished" and answer["optimum"] == pytest.approx(best, rel=1e-9)
    assert answer["reached"] == (answer["loss"] - best <= 0.01 * best)


def test_the_optimizer_race_winner_reaches_the_board(board_db):
    learner_q, board_q = _start_room("pages/views/optimizers.py")
    at = open_link("pages/views/optimizers.py", learner_q)
    at.button(key="b.board.join").click().run()
    at.button(key="b.optimizers.race").click().run()
    assert not at.exception, at.exception
    race = at.session_state["_lesson.optimizers"].extra["race"]
    finals = {name: float(run.losses()[-1]) for name, run in race.items()}
    engine = sa.create_engine(board_db)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.events.c.item, schema.events.c.value, schema.events.c.answer)
                            .where(schema.events.c.item == "race_winner")).all()
    engine.dispose()
    assert len(rows) == 1 and json.loads(rows[0].answer)["winner"] == min(finals, key=finals.get)
    assert rows[0].value == min(finals.values())
    board = open_link("pages/views/class_board.py", board_q)
    assert any(min(finals, key=finals.get) in c.value for c in board.caption)
