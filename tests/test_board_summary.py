"""What the board shows, against small rooms worked out by hand."""
from __future__ import annotations

import csv
import io

from gdcore.board import summary

PEOPLE = [{"id": 1, "nickname": "Ann", "joined_at": 0.0}, {"id": 2, "nickname": "", "joined_at": 1.0},
          {"id": 3, "nickname": "=cmd|' /C calc'!A0", "joined_at": 2.0}]


def ev(learner, item, ok, at, attempts=1, hints=0, answer=None, kind="exercise", value=None):
    return {"learner_id": learner, "kind": kind, "item": item, "ok": ok, "attempts": attempts, "hints": hints,
            "answer": answer or {}, "value": value, "at": at}


EVENTS = [
    ev(1, "predict", False, 10.0, 1, answer={"loss": 3.0}),
    ev(2, "predict", False, 11.0, 1, answer={"loss": 3.0}),
    ev(1, "predict", True, 20.0, 2, answer={"loss": 2.5}),
    ev(2, "predict", False, 25.0, 2, hints=1, answer={"loss": 9.0}),
    ev(1, "diverge", False, 30.0, 1, answer={"lr": 0.1}),
    ev(1, "diverged", None, 31.0, kind="milestone", value=1.2, answer={"step": 7}),
]
ITEMS = ["predict", "diverge", "goldilocks"]


def test_grid_and_progress():
    rows = summary.grid(PEOPLE, EVENTS, ITEMS)
    assert [r["learner"] for r in rows] == ["Ann", "#2", "=cmd|' /C calc'!A0"]
    assert [(r["predict"], r["diverge"], r["goldilocks"]) for r in rows] == [
        ("solved", "trying", ""), ("trying", "", ""), ("", "", "")]
    assert rows[1]["predict.attempts"] == 2
    assert summary.progress(rows, ITEMS) == [
        {"item": "predict", "solved": 1, "trying": 1, "not_started": 1},
        {"item": "diverge", "solved": 0, "trying": 1, "not_started": 2},
        {"item": "goldilocks", "solved": 0, "trying": 0, "not_started": 3}]


def test_common_wrong_answers_count_learners_not_tries():
    top = summary.common_wrong(EVENTS + [ev(2, "predict", False, 26.0, 3, answer={"loss": 9.0})])
    assert top[0] == {"item": "predict", "answer": '{"loss": 3.0}', "learners": 2}
    assert {"item": "predict", "answer": '{"loss": 9.0}', "learners": 1} in top


def test_stuck_is_the_longest_unsolved_latest_exercise():
    out = summary.stuck(PEOPLE, EVENTS, now=100.0)
    # Ann's latest is diverge (first try at 30): 70 s; #2's is predict (first try at 11): 89 s
    assert [(r["learner"], r["item"], r["seconds"], r["attempts"]) for r in out] == [
        ("#2", "predict", 89.0, 2), ("Ann", "diverge", 70.0, 1)]


def test_answers_and_milestones_are_plain_records():
    assert [(a["ok"], a["loss"]) for a in summary.answers(EVENTS, "predict")] == [
        (False, 3.0), (False, 3.0), (True, 2.5), (False, 9.0)]
    assert summary.milestones(EVENTS, "diverged") == [{"learner_id": 1, "value": 1.2, "at": 31.0, "step": 7}]


def test_csv_has_every_result_and_no_formula_cells():
    rows = list(csv.reader(io.StringIO(summary.to_csv(PEOPLE, EVENTS + [ev(3, "predict", True, 40.0)]))))
    assert rows[0][:4] == ["at", "learner", "kind", "item"]
    assert len(rows) == 1 + len(EVENTS) + 1
    assert rows[-1][1] == "'=cmd|' /C calc'!A0"  # a spreadsheet shows it as text, never runs it
    assert rows[1][4:6] == ["0", "1"] and rows[6][4] == ""
