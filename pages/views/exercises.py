"""Workshop exercises: the tasks from the tutorials, each checked by training with gdcore.

A wrong answer gets what it did and a hint; the answer itself only after several wrong tries or
when the learner presses Show answer (the policy is gdcore.exercises.feedback)."""
import streamlit as st

from gdcore import exercises as ex
from gdcore import limits, registry
from gdcore.lessons.optimizers import LABELS as OPTIMIZER_LABELS
from pages import ui
from pages.ui import board

T = ui.tr()
W = "w.ex."  # widget keys
LESSON_PAGE = {  # the lesson each exercise practises (slugs of gdcore.registry)
    "predict": "linear_regression", "goldilocks": "linear_regression", "diverge": "linear_regression",
    "fix_zero_grad": "autograd_basics", "fix_no_grad": "mini_batches", "fix_sum_mean": "linear_regression",
    "fix_full_tensor": "mini_batches", "accuracy": "logistic_regression", "race": "optimizers",
}


@st.cache_data(show_spinner=False)
def _predict_setup() -> dict:
    return ex.predict_setup()


@st.cache_data(show_spinner=False)
def _broken(exercise_id: str) -> dict:
    return ex.broken_values(exercise_id)


def _progress() -> dict:
    """This learner's progress: exercise id -> solved, hints asked, wrong tries, answer asked, last verdict
    (kept in the session)."""
    return st.session_state.setdefault("_exercises", {})


def _reset() -> None:
    st.session_state["_exercises"] = {}
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(W)]:
        del st.session_state[k]


def _more_hint(exercise_id: str) -> None:
    state = _progress()[exercise_id]
    state["hints"] += 1


def _show_answer(exercise_id: str) -> None:
    _progress()[exercise_id]["answer"] = True


def _answer(e: ex.Exercise) -> dict:
    """The learner's answer from the widgets (numbers and choices only)."""
    s = st.session_state
    if e.kind == "predict":
        return {"loss": s.get(W + "predict.loss")}
    if e.kind == "goldilocks":
        return {"lr": s.get(W + "goldilocks.lr")}
    if e.kind == "diverge":
        return {"lr": s.get(W + "diverge.lr"), "limit": s.get(W + "diverge.limit")}
    if e.kind == "fix":
        return {"choice": s.get(W + f"{e.id}.choice")}
    if e.kind == "accuracy":
        return {k: s.get(W + f"accuracy.{k}") for k in ("mode", "loss", "lr", "epochs", "batch_size")}
    return {"winner": s.get(W + "race.winner"), "reason": s.get(W + "race.reason")}


def _inputs(e: ex.Exercise) -> None:
    """The answer widgets of one exercise."""
    p = f"exercises.{e.id}"
    if e.kind == "predict":
        st.number_input(T(f"{p}.answer"), value=None, format="%.6f", step=0.001, key=W + "predict.loss",
                        persist_state="session")
    elif e.kind == "goldilocks":
        st.number_input(T(f"{p}.answer"), value=None, min_value=1e-6, max_value=ex.MAX_LR, format="%g",
                        step=0.01, key=W + "goldilocks.lr", persist_state="session")
    elif e.kind == "diverge":
        c1, c2 = st.columns(2)
        c1.number_input(T(f"{p}.answer_lr"), value=None, min_value=1e-6, max_value=ex.MAX_LR, format="%g",
                        step=0.01, key=W + "diverge.lr", persist_state="session")
        c2.number_input(T(f"{p}.answer_limit"), value=None, min_value=0.0, max_value=1e6, format="%g",
                        step=0.01, key=W + "diverge.limit", persist_state="session")
    elif e.kind == "fix":
        st.radio(T("exercises.fix_question"), e.options, index=None, key=W + f"{e.id}.choice",
                 format_func=lambda o: T(f"{p}.options.{o}"), persist_state="session")
    elif e.kind == "accuracy":
        c = st.columns(5)
        c[0].selectbox(T(f"{p}.mode"), ex.ACCURACY_MODES, key=W + "accuracy.mode", persist_state="session",
                       format_func=lambda m: T(f"{p}.modes.{m}"))
        c[1].selectbox(T(f"{p}.loss"), ex.ACCURACY_LOSSES, key=W + "accuracy.loss", persist_state="session",
                       format_func=lambda m: T(f"{p}.losses.{m}"))
        c[2].number_input(T(f"{p}.lr"), min_value=1e-6, max_value=ex.MAX_LR, value=0.001, format="%g",
                          key=W + "accuracy.lr", persist_state="session")
        c[3].number_input(T(f"{p}.epochs"), **limits.bounds(limits.EXERCISE_EPOCHS), value=5, step=1,
                          key=W + "accuracy.epochs", persist_state="session")
        c[4].number_input(T(f"{p}.batch_size"), min_value=1, max_value=1000, value=32, step=1,
                          key=W + "accuracy.batch_size", persist_state="session")
    else:
        c1, c2 = st.columns([1, 2])
        c1.selectbox(T(f"{p}.winner"), e.options, index=None, key=W + "race.winner", persist_state="session",
                     format_func=OPTIMIZER_LABELS.get)
        c2.radio(T(f"{p}.reason"), tuple(ex.REASONS), index=None, key=W + "race.reason",
                 format_func=lambda r: T(f"{p}.reasons.{r}"), persist_state="session")


def _task(e: ex.Exercise) -> str:
    p = f"exercises.{e.id}"
    if e.kind == "predict":
        s = _predict_setup()
        return T(f"{p}.task", **{k: f"{v:.6g}" for k, v in s.items()})
    if e.kind == "goldilocks":
        return T(f"{p}.task", target=f"{ex.GOLDILOCKS_TARGET:g}", steps=ex.GOLDILOCKS_STEPS)
    if e.kind == "diverge":
        return T(f"{p}.task", steps=ex.DIVERGE_STEPS)
    if e.kind == "fix":
        return T(f"{p}.task", **_broken(e.id))
    if e.kind == "accuracy":
        return T(f"{p}.task", target=f"{ex.ACCURACY_TARGET:.0%}", max_steps=f"{ex.ACCURACY_MAX_STEPS:,}")
    return T(f"{p}.task", steps=ex.RACE_STEPS)


# -- the page ------------------------------------------------------------------------------------

st.title(":material/task_alt: " + T("exercises.title"))
st.markdown(T("exercises.intro", n=len(ex.EXERCISES), tries=ex.ANSWER_AFTER_TRIES))
progress = _progress()
for e in ex.EXERCISES:
    progress.setdefault(e.id, {"solved": False, "hints": 0, "verdict": None})
    progress[e.id].setdefault("tries", 0)  # wrong tries
    progress[e.id].setdefault("answer", False)  # the learner asked for the answer
done = sum(progress[e.id]["solved"] for e in ex.EXERCISES)
st.progress(done / len(ex.EXERCISES), text=T("exercises.progress", done=done, total=len(ex.EXERCISES)))

first_open = next((e.id for e in ex.EXERCISES if not progress[e.id]["solved"]), None)


@st.fragment
def _exercise(e: ex.Exercise) -> None:
    """One exercise's task, answer, buttons and feedback: its own clicks rerun only this part of the page
    (a room of learners checking answers would otherwise redraw all nine exercises for each one)."""
    state = _progress()[e.id]
    p = f"exercises.{e.id}"
    st.markdown(_task(e))
    if e.kind == "fix":
        st.code(T(f"{p}.code"), language="python", wrap_lines=True)
    _inputs(e)
    c1, c2, c3, c4 = st.columns([1, 1, 1.3, 2.7], vertical_alignment="center")
    if c1.button(T("exercises.check"), key=f"b.ex.{e.id}.check", type="primary", icon=":material/play_arrow:"):
        with st.spinner(T("exercises.working")):
            v = ex.check(e.id, _answer(e))
        newly_solved = v.ok and not state["solved"]
        state["verdict"] = (v.ok, v.key, v.values)
        state["solved"] = state["solved"] or v.ok
        if v.is_try and not v.ok and not state["solved"]:
            state["tries"] += 1
        if v.is_try:  # to the instructor's board, if this learner joined a room
            board.report("exercise", e.id, ok=v.ok, attempts=state["tries"] + v.ok, hints=state["hints"],
                          answer=_answer(e))
        if newly_solved:  # the progress bar and this exercise's tick, drawn above, count it
            st.rerun()
    c2.button(T("exercises.hint"), key=f"b.ex.{e.id}.hint", icon=":material/lightbulb:",
              on_click=_more_hint, args=(e.id,))
    c3.button(T("exercises.show_answer"), key=f"b.ex.{e.id}.answer", icon=":material/visibility:",
              on_click=_show_answer, args=(e.id,), disabled=state["solved"],
              help=T("exercises.show_answer_help", tries=ex.ANSWER_AFTER_TRIES))
    c4.page_link(registry.page(LESSON_PAGE[e.id]).script, label=T("exercises.open_lesson"),
                 icon=":material/arrow_forward:")
    if state["verdict"] is not None:
        ok, key, values = state["verdict"]
        (st.success if ok else st.error)(T(f"exercises.verdict.{key}", **values))
    elif state["solved"]:
        st.success(T("exercises.solved"))
    fb = ex.feedback(e, state["tries"], state["hints"], state["answer"])
    for i in range(1, fb.hints + 1):
        st.info(T(f"{p}.hint{i}"), icon=":material/lightbulb:")
    if state["hints"] > e.hints:
        st.caption(T("exercises.no_more_hints"))
    if fb.answer and not state["solved"]:
        with st.spinner(T("exercises.working")):
            text = T(ex.solution_text(e.id))
        st.warning(T("exercises.answer", text=text), icon=":material/visibility:")
    elif state["tries"] and not state["solved"]:
        st.caption(T("exercises.tries", n=state["tries"], max=ex.ANSWER_AFTER_TRIES))


for e in ex.EXERCISES:
    icon = ":material/check_circle:" if progress[e.id]["solved"] else ":material/radio_button_unchecked:"
    with st.expander(f"{icon} {T(f'exercises.{e.id}.title')}", expanded=e.id == first_open):
        _exercise(e)

st.button(T("exercises.reset"), key="b.ex.reset", on_click=_reset, icon=":material/restart_alt:")
