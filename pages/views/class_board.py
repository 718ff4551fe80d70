"""Class board: the instructor's live view of a room (opened by the board link, which carries the token)."""
import collections
import time

import streamlit as st

from gdcore import exercises as ex
from gdcore.board import BoardError, summary, tokens
from gdcore.charts import board as board_charts
from pages import ui
from pages.ui import board

T = ui.tr()
W = "w.board."
ITEMS = [e.id for e in ex.EXERCISES]
REFRESH_S = 2  # the board redraws itself this often (one database read per refresh)

st.title(":material/groups: " + T("board.title"))
store = board.store()
if store is None:
    st.warning(T("board.errors.store_down"))
    st.stop()

code = st.query_params.get("room") or ""
token = st.query_params.get("token") or ""
if not code or not token:
    st.info(T("board.no_link"))
    st.stop()
try:
    room = store.room_for_board(tokens.normalize_code(code) or "", token)
except BoardError as exc:
    st.error(T(f"board.errors.{exc.key}", **exc.values))
    st.stop()

st.markdown(T("board.header", code=tokens.pretty_code(room.code), lesson=T(f"board.lessons.{room.lesson}")
              if T.has(f"board.lessons.{room.lesson}") else room.lesson,
              expires=time.strftime("%Y-%m-%d %H:%M", time.gmtime(room.expires_at))))
if room.closed:
    st.warning(T("board.closed"))
labels = {e.id: T(f"exercises.{e.id}.title") for e in ex.EXERCISES}
states = {"solved": T("board.solved"), "trying": T("board.trying"), "not_started": T("board.not_started")}


def _csv() -> str:
    """Built when the button is pressed (not on every refresh), from what the store holds then."""
    _, people, happened = store.rows(room.code, token)
    return summary.to_csv(people, happened)


@st.fragment(run_every=REFRESH_S)
def live() -> None:
    try:
        fresh, people, happened = store.rows(room.code, token)
    except BoardError as exc:
        st.error(T(f"board.errors.{exc.key}", **exc.values))
        return
    now = time.time()
    c1, c2, c3 = st.columns(3)
    c1.metric(T("board.learners"), len(people))
    c2.metric(T("board.results"), len(happened))
    c3.metric(T("board.updated"), time.strftime("%H:%M:%S", time.gmtime(now)) + " UTC")
    if not people:
        st.info(T("board.empty"))
        return
    rows = summary.grid(people, happened, ITEMS)  # learners x exercises, read once for the bars and the table
    st.vega_lite_chart(spec=board_charts.progress_chart(summary.progress(rows, ITEMS), labels, states,
                                                T("board.progress")), width="stretch")
    refs = ex.reference_answers()
    verdicts = (T("board.right"), T("board.wrong"))
    for item, field, log in (("predict", "loss", False), ("goldilocks", "lr", True), ("diverge", "limit", True)):
        latest = {a["learner_id"]: a for a in summary.answers(happened, item) if isinstance(a.get(field), float)}
        if latest:
            st.vega_lite_chart(spec=board_charts.answers_chart(
                [a[field] for a in latest.values()], [a["ok"] for a in latest.values()], refs[item],
                labels[item], T(f"board.axis.{item}"), T(f"board.reference.{item}"), verdicts, log=log),
                width="stretch")
    runs = [(m, item == "finished") for item in ("finished", "diverged") for m in summary.milestones(happened, item)
            if isinstance(m.get("limit"), float) and m.get("lesson") == room.lesson]
    if runs:  # the room's learning rates: which ran to the end and which diverged, against the limit
        limits = sorted(m["limit"] for m, _ in runs)
        st.vega_lite_chart(spec=board_charts.answers_chart(
            [m["value"] for m, _ in runs], [finished for _, finished in runs], limits[len(limits) // 2],
            T("board.runs"), T("board.axis.lr"), T("board.reference.limit"),
            (T("board.finished"), T("board.diverged")), log=True), width="stretch")
        ended = [m for m, finished in runs if finished and "reached" in m]
        if ended:
            st.caption(T("board.reached", n=sum(bool(m["reached"]) for m in ended), total=len(ended)))
    winners = collections.Counter(m.get("winner") for m in summary.milestones(happened, "race_winner"))
    if winners:
        st.caption(T("board.race", winners=", ".join(f"{name} {n}" for name, n in winners.most_common())))
    left, right = st.columns(2)
    with left:
        st.subheader(T("board.stuck"))
        stuck = summary.stuck(people, happened, now)
        if not any(e["kind"] == "exercise" for e in happened):
            st.caption(T("board.no_results"))
        elif stuck:  # nicknames are data: shown in a table as text, never as markup
            st.dataframe([{T("board.col.learner"): r["learner"],
                           T("board.col.exercise"): labels.get(r["item"], r["item"]),
                           T("board.col.minutes"): round(r["seconds"] / 60, 1), T("board.col.tries"): r["attempts"]}
                          for r in stuck[:10]], hide_index=True)
        else:
            st.caption(T("board.nobody_stuck"))
    with right:
        st.subheader(T("board.wrong_answers"))
        wrong = summary.common_wrong(happened)
        if wrong:
            st.dataframe([{T("board.col.exercise"): labels.get(r["item"], r["item"]),
                           T("board.col.answer"): r["answer"],
                           T("board.col.learners"): r["learners"]} for r in wrong], hide_index=True)
        else:
            st.caption(T("board.no_wrong"))
    with st.expander(T("board.grid"), expanded=False):
        mark = {"solved": states["solved"], "trying": states["trying"], "": ""}
        st.dataframe([{T("board.col.learner"): r["learner"], **{labels[i].split(" · ")[0]: mark[r[i]] for i in ITEMS}}
                      for r in rows], hide_index=True)
    st.download_button(T("board.download"), _csv, file_name=f"room-{room.code}.csv",
                       mime="text/csv", icon=":material/download:", key="b.board.csv")


live()

def _act(action) -> None:
    try:
        action(room.code, token)
    except BoardError as exc:
        st.session_state["_board.action_error"] = exc.key
    st.session_state[W + "clear_confirm"] = False


st.divider()
c1, c2 = st.columns(2)
c1.button(T("board.close"), key="b.board.close", icon=":material/lock:", disabled=room.closed,
          on_click=_act, args=(store.close,), help=T("board.close_help"))
confirm = c2.checkbox(T("board.clear_confirm"), key=W + "clear_confirm")
c2.button(T("board.clear"), key="b.board.clear", icon=":material/delete:", disabled=not confirm,
          on_click=_act, args=(store.clear,))
failed = st.session_state.pop("_board.action_error", None)
if failed:
    st.error(T(f"board.errors.{failed}"))
