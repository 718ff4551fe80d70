"""What the board shows, computed from a room's stored rows (plain records in, plain records out)."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter

SOLVED, TRYING, NOT_STARTED = "solved", "trying", ""


def display_name(learner: dict) -> str:
    return learner["nickname"] or f"#{learner['id']}"


def grid(learners: list[dict], events: list[dict], items: list[str]) -> list[dict]:
    """One row per learner: for each exercise, solved / trying / not started, with tries and hints."""
    cells: dict[tuple[int, str], dict] = {}
    for e in events:
        if e["kind"] != "exercise":
            continue
        cell = cells.setdefault((e["learner_id"], e["item"]), {"status": TRYING, "attempts": 0, "hints": 0})
        cell["attempts"] = max(cell["attempts"], e["attempts"])
        cell["hints"] = max(cell["hints"], e["hints"])
        if e["ok"]:
            cell["status"] = SOLVED
    rows = []
    for person in learners:
        row = {"learner": display_name(person)}
        for item in items:
            cell = cells.get((person["id"], item))
            row[item] = cell["status"] if cell else NOT_STARTED
            row[f"{item}.attempts"] = cell["attempts"] if cell else 0
        rows.append(row)
    return rows


def progress(rows: list[dict], items: list[str]) -> list[dict]:
    """Per exercise, from the grid's rows: how many learners solved it, are trying, have not started."""
    out = []
    for item in items:
        states = Counter(row[item] for row in rows)
        out.append({"item": item, "solved": states[SOLVED], "trying": states[TRYING],
                    "not_started": states[NOT_STARTED]})
    return out


def answers(events: list[dict], item: str) -> list[dict]:
    """Every judged answer to one exercise, latest last: the answer's fields, right or wrong, who."""
    return [{"learner_id": e["learner_id"], "ok": bool(e["ok"]), "at": e["at"], **e["answer"]}
            for e in events if e["kind"] == "exercise" and e["item"] == item]


def common_wrong(events: list[dict], top: int = 5) -> list[dict]:
    """The wrong answers given most often (per exercise), with how many learners gave each."""
    who: dict[tuple[str, str], set[int]] = {}
    for e in events:
        if e["kind"] == "exercise" and e["ok"] is False and e["answer"]:
            shown = json.dumps(e["answer"], sort_keys=True, ensure_ascii=False)
            who.setdefault((e["item"], shown), set()).add(e["learner_id"])
    ranked = sorted(who.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"item": item, "answer": shown, "learners": len(people)} for (item, shown), people in ranked[:top]]


def stuck(learners: list[dict], events: list[dict], now: float) -> list[dict]:
    """Learners whose latest exercise is unsolved, longest-stuck first: since their first try at it."""
    names = {p["id"]: display_name(p) for p in learners}
    latest: dict[int, str] = {}
    first_try: dict[tuple[int, str], float] = {}
    tries: dict[tuple[int, str], int] = {}
    solved: set[tuple[int, str]] = set()
    for e in events:  # in time order
        if e["kind"] != "exercise":
            continue
        key = (e["learner_id"], e["item"])
        latest[e["learner_id"]] = e["item"]
        first_try.setdefault(key, e["at"])
        tries[key] = max(tries.get(key, 0), e["attempts"])
        if e["ok"]:
            solved.add(key)
    out = [{"learner": names.get(lid, f"#{lid}"), "item": item, "seconds": now - first_try[(lid, item)],
            "attempts": tries[(lid, item)]}
           for lid, item in latest.items() if (lid, item) not in solved]
    return sorted(out, key=lambda r: -r["seconds"])


def milestones(events: list[dict], item: str) -> list[dict]:
    """One milestone across the room (e.g. every divergence: the lr and the step it happened at)."""
    return [{"learner_id": e["learner_id"], "value": e["value"], "at": e["at"], **e["answer"]}
            for e in events if e["kind"] == "milestone" and e["item"] == item]


def _cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading =, +, - or @ would make it a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(learners: list[dict], events: list[dict]) -> str:
    """Every stored result, one line each, with the learner's name (what the Download button gives)."""
    names = {p["id"]: display_name(p) for p in learners}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "learner", "kind", "item", "ok", "attempts", "hints", "value", "answer"])
    for e in events:
        writer.writerow([f"{e['at']:.3f}", _cell(names.get(e["learner_id"], "")), e["kind"], e["item"],
                         "" if e["ok"] is None else int(bool(e["ok"])), e["attempts"], e["hints"],
                         "" if e["value"] is None else repr(e["value"]),
                         _cell(json.dumps(e["answer"], sort_keys=True, ensure_ascii=False))])
    return out.getvalue()
