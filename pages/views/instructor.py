"""Instructor: build a workshop link that fixes a lesson's settings and hides chosen controls."""
import streamlit as st

from gdcore import links, registry
from gdcore.i18n import LANG_NAMES, LANGS
from pages import ui

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
