"""Instructor: build a workshop link that fixes a lesson's settings and hides chosen controls."""
import streamlit as st

from gdcore import links, registry
from gdcore.board import BoardError, tokens
from gdcore.i18n import LANG_NAMES, LANGS
from pages import ui
from pages.ui import board

T = ui.tr()
W = "w.instructor."

st.title(":material/school: " + T("instructor.title"))
st.markdown(T("instructor.intro"))

titles = {lesson.slug: T(lesson.title) for lesson in registry.lessons()}
page = st.selectbox(T("instructor.lesson"), list(titles), format_func=titles.get, key=W + "page",
                    persist_state="session")
lesson = registry.page(page)
fields, groups = lesson.link_fields, lesson.hide_groups

st.subheader(T("instructor.step_settings"))
pasted = st.text_area(T("instructor.paste"), key=W + f"paste.{page}", persist_state="session", height=80,
                      placeholder=T("instructor.paste_placeholder"), help=T("instructor.paste_help"))
link = links.decode(links.parse_link(pasted), fields, groups)
if link.notes:
    st.warning(T("instructor.paste_ignored", names=", ".join(f"`{n.name}`" for n in link.notes)))
if link.values:
    st.caption(T("instructor.paste_ok", n=len(link.values), steps=link.steps or 0))

st.subheader(T("instructor.step_hide"))
hide = []
cols = st.columns(3)
for i, group in enumerate(groups):
    if cols[i % 3].checkbox(T(f"{lesson.strings}.groups.{group}"), key=W + f"hide.{page}.{group}",
                            persist_state="session",
                            value=group in link.hide):
        hide.append(group)
lock = st.checkbox(T("instructor.lock"), key=W + "lock",
                   persist_state="session", value=True, help=T("instructor.lock_help"))
keep_steps = st.checkbox(T("instructor.keep_steps"), key=W + "keep_steps",
                         persist_state="session", value=bool(link.steps),
                         disabled=not link.steps)
lang = st.radio(T("instructor.language"), LANGS, format_func=LANG_NAMES.get, horizontal=True,
                key=W + "lang", persist_state="session", index=LANGS.index(ui.lang()))

params = links.encode(link.values, fields, steps=link.steps if keep_steps else None, hide=hide, lock=lock,
                      lang=lang, seed=link.seed)
url = links.page_url(st.context.url, page) + links.query_string(params)

st.subheader(T("instructor.step_share"))
st.code(url, language=None, wrap_lines=True)
c1, c2 = st.columns([1, 3], vertical_alignment="center")
c1.link_button(T("instructor.open"), url, icon=":material/open_in_new:")
c2.caption(T("instructor.share_help"))

# -- a room: the same link, plus a live board of everyone who joins it --------------------------------
st.subheader(T("board.start"))
st.caption(T("board.start_help"))


def _start_room(lesson_slug: str, link_query: str) -> None:
    rooms = board.store()
    if rooms is None:
        return
    try:
        code, token = rooms.create_room(lesson_slug, link_query)
    except BoardError as exc:
        st.session_state[board.NOTICE] = exc.key
        return
    st.session_state["_board.room"] = (code, token, lesson_slug)  # the token lives in this session only


st.button(T("board.start"), key="b.instructor.start_room", icon=":material/groups:", type="primary",
          on_click=_start_room, args=(page, links.query_string(params)))
opened = st.session_state.get("_board.room")
if opened:
    code, token, room_lesson = opened
    same = room_lesson == page  # the room was opened for the lesson selected above: its link, with the room
    learners_url = links.page_url(st.context.url, room_lesson) + links.query_string(
        {**(params if same else {}), "room": code})
    board_url = links.page_url(st.context.url, "class_board") + links.query_string({"room": code, "token": token})
    st.success(T("board.started", code=tokens.pretty_code(code)))
    st.markdown(f"**{T('board.learners_link')}**")
    st.code(learners_url, language=None, wrap_lines=True)
    st.markdown(f"**{T('board.board_link')}**")
    st.code(board_url, language=None, wrap_lines=True)
    st.link_button(T("board.open_board"), board_url, icon=":material/open_in_new:")
elif st.session_state.get(board.NOTICE):
    st.warning(T("board.errors.store_down"))
