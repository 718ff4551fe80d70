"""Every lesson page keeps its widget values when the learner visits another page and comes back.

The pages give each widget `persist_state="session"` (Streamlit's own way to keep a widget's value
while its page is not shown); this changes every number, switch and list the page draws, goes Home
and back, and finds each of them as it was left.
"""
from __future__ import annotations

import pytest
from apptest_util import away_and_back, open_page

from gdcore import registry

SIDEBAR = ("w.lang", "w.device", "w.seed")  # drawn on every page: nothing to keep
MAX_CHANGES = 10  # widgets changed per page (each change is a rerun)
KINDS = ("number_input", "checkbox", "toggle", "selectbox")


def _widgets(at) -> dict:
    """The page's own keyed widgets (not the sidebar's), by key."""
    found = {}
    for kind in KINDS + ("radio", "slider", "select_slider", "text_area"):
        for el in at.get(kind):
            if el.key and el.key.startswith("w.") and el.key not in SIDEBAR:
                found[el.key] = el
    return found


def _other_value(el):
    """A valid value other than the widget's current one (None when there is none to pick)."""
    if el.type == "number_input":
        v, step = el.value, el.step or 1
        if v is None:
            return el.min if el.min is not None else 1
        if el.max is None or v + step <= el.max:
            return type(v)(v + step)
        return type(v)(v - step) if el.min is None or v - step >= el.min else None
    if el.type in ("checkbox", "toggle"):
        return not el.value
    return None


def _label(el, value) -> str | None:
    """How a list shows `value` (None where it has no label for it)."""
    try:
        return str(el.format_func(value))
    except (KeyError, ValueError, TypeError):
        return None


def _change(at, el) -> None:
    if el.type == "selectbox":
        # AppTest sets a list by value; its options are the shown labels, which are the values only
        # where the list shows its values as they are
        current = None if el.value is None else _label(el, el.value)
        for option in el.options:
            if option != current and _label(el, option) == option:
                el.set_value(option).run()
                return
        return
    new = _other_value(el)
    if new is not None:
        el.set_value(new).run()


# home has no settings; the class board draws its one checkbox only for a room's token (its own tests)
@pytest.mark.parametrize("slug", [p.slug for p in registry.PAGES if p.slug not in ("home", "class_board")])
def test_widget_values_survive_a_visit_to_another_page(slug):
    page = registry.page(slug).script
    at = open_page(page)
    before = {k: el.value for k, el in _widgets(at).items()}
    for key in list(before)[:MAX_CHANGES]:
        el = _widgets(at).get(key)
        if el is not None and not el.disabled:
            _change(at, el)
            assert not at.exception, (key, at.exception)
    left = {k: el.value for k, el in _widgets(at).items()}
    changed = [k for k in left if k in before and left[k] != before[k]]
    assert len(changed) >= 2, (slug, left)  # the test changed something it can then look for
    away_and_back(at, page)
    back = {k: el.value for k, el in _widgets(at).items()}
    assert back == left, {k: (left.get(k), back.get(k)) for k in set(left) | set(back) if left.get(k) != back.get(k)}
