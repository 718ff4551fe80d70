"""Share links and instructor locks for the lesson pages (pages reach it as ui.*).

A page declares its fields and hide groups in gdcore; these functions apply a link's values to
the widgets before they are drawn, replay its steps, keep the address bar in step with the run,
and honour an instructor's hidden groups and locked preset.

Why not widgets' own `bind="query-params"` (Streamlit 1.67): a bound widget names its query
parameter after its key (`w.linear_regression.lr`, where links say `lr`; one short name per lesson would make
the lessons share session keys), drops a value equal to its default from the URL (a link spells out
every setting), and drops an invalid value silently (a link's skipped value is named, with the range
it broke). `steps`, `hide`, `lock`, `preset`, the sidebar seed and precision have no widget to bind at all.
"""
from __future__ import annotations

import streamlit as st

from gdcore.links import Field, Note, decode, encode, note_text, query_string
from gdcore.session import Lesson
from pages.ui.state import SYNC_STEPS, lang, lesson, set_values, tr

# -- share links and instructor locks ---------------------------------------------------------

def _link_state(key: str) -> dict:
    return st.session_state.setdefault(f"_link.{key}", {"visited": False, "hide": (), "lock": False,
                                                         "steps": None, "notes": []})


def share(key: str, fields: list[Field], groups=(), presets: dict | None = None) -> dict:
    """Apply a link (the page's query string on its first visit) to its widgets; return the link state.

    A link's values are set before the widgets are drawn, so the page builds exactly the run the
    link describes; its `steps` are replayed by `replay()` once the run exists. Malformed values
    are skipped with a note (shown by `link_notes`); the widgets keep their defaults for them.
    """
    state = _link_state(key)
    params = st.query_params.to_dict()
    # A link is applied once, on the page's first visit in this session: within a session the query
    # string only changes by our own writes (the browser's copy can lag a rerun behind them), and a
    # link opened anew always starts a new session.
    first = not state["visited"]
    state["visited"] = True
    if not first or not params:
        return state
    # lang and the sidebar seed were applied by the entry point before the sidebar was drawn
    own_seed = any(f.name == "seed" for f in fields)
    link = decode(params, fields, groups, ignore=("lang", "preset", "dtype") + (() if own_seed else ("seed",)))
    seed_note = st.session_state.pop("_seed_note", None)  # a bad ?seed=, found by the entry point
    if seed_note is not None and not own_seed:
        link.notes.append(seed_note)
    dtype_note = st.session_state.pop("_dtype_note", None)  # a bad ?dtype=, likewise
    if dtype_note is not None:
        link.notes.append(dtype_note)
    preset = params.get("preset")
    if preset is not None and not (presets and preset in presets):
        link.notes.append(Note("preset", str(preset)[:64], "unknown_choice",
                               Field("preset", "", "choice", choices=tuple(presets or ()))))
    if presets and preset in presets:
        set_values(presets[preset])
    set_values(link.values)
    state.update(hide=link.hide, lock=link.lock, steps=link.steps, notes=link.notes)
    if link.steps:
        lesson(key).stop()
    return state


def link_pending(key: str) -> bool:
    """True when `share(key, ...)` is about to apply a link (the page's first visit, with a query)."""
    return bool(st.query_params.to_dict()) and not _link_state(key)["visited"]


def shown(key: str, group: str) -> bool:
    """False when an instructor's link hid this control group (or locked the preset, for 'presets')."""
    state = _link_state(key)
    if group == "presets" and state["lock"]:
        return False
    return group not in state["hide"]


def link_notes(key: str) -> None:
    """The link's skipped values, one sentence each, and the instructor banner."""
    T = tr()
    state = _link_state(key)
    if state["lock"] or state["hide"]:
        st.info(T("ui.link.instructor"), icon=":material/school:")
    notes = state["notes"]
    if not notes:
        return
    lines = [note_text(n, T) for n in notes]
    st.warning(T("ui.link.ignored") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon=":material/link_off:")
    st.button(T("ui.link.dismiss"), key=f"b.{key}.dismiss_notes", on_click=state.update,
              kwargs={"notes": []})


def replay(lesson_obj: Lesson, key: str) -> None:
    """Run the link's `steps` on the freshly built run (long replays tick live, with Stop)."""
    state = _link_state(key)
    steps = state.get("steps")
    run = lesson_obj.run
    if not steps or run is None:
        return
    state["steps"] = None
    with lesson_obj.lock:
        if run.step_count:
            lesson_obj.reset()
        steps = min(steps, run.total_steps)
        if steps <= SYNC_STEPS:
            run.run(steps)
            return
    lesson_obj.start(steps, quiet=True)  # trains on the worker; the page draws once, at the end


def sync_link(key: str, fields: list[Field], run=None) -> dict:
    """Write the page's current state into the URL (so the address bar is always a share link)."""
    state = _link_state(key)  # the instructor's hide/lock travel on
    values = {f.key: st.session_state[f.key] for f in fields if f.key in st.session_state}
    params = encode(values, fields, steps=run.step_count if run is not None else None,
                    hide=state["hide"], lock=state["lock"], lang=lang(), seed=st.session_state.get("w.seed"),
                    dtype=st.session_state.get("w.dtype"))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return params


def share_button(key: str, fields: list[Field], run=None) -> None:
    """A 'Share link' popover with the full URL of this exact state, ready to copy.

    The link is drawn only while the popover is open (opening it reruns the page's live part): it
    changes with every Step, and a closed popover's contents would be sent with every Step too."""
    T = tr()
    params = sync_link(key, fields, run)
    base = st.context.url or ""
    box = st.popover(T("ui.link.share"), icon=":material/link:", key=f"b.{key}.share", on_change="rerun")
    with box:
        if box.open:
            st.caption(T("ui.link.share_help"))
            st.code(base + query_string(params), language=None, wrap_lines=True)
