"""A forged websocket message cannot break a page with widget values of the wrong type.

The browser sends each widget's value in the widget's own type. A hand-made message can send a
string for a number input; Streamlit then fails inside the widget (its callback dispatch reads
every changed value before any page code runs) and the learner's page is gone. So, at Streamlit's
own entry for widget values (every page and callback is covered):

- a value whose kind (number, text, true/false) is not the widget's own, or that the widget's
  deserializer refuses (a NaN, a number past the widget's bounds), is dropped from the message
  before the rerun, as if the browser had not sent it: the widget keeps the value it had;
- should a value still fail when it is read, it reads as the widget's default.

These hook Streamlit internals (`SessionState.on_script_will_rerun`, `WStates.__getitem__`);
tests/test_forged_widget_values.py fails if a Streamlit upgrade moves them.
"""
from __future__ import annotations

from streamlit.runtime.state.common import unpack_widget_state_value
from streamlit.runtime.state.session_state import SessionState, Value, WStates

# the kinds of scalar value a widget state carries; a value may change field within its kind
# (a number input declares double_value and the browser sends int_value for whole numbers)
_KIND = {"int_value": "number", "double_value": "number", "string_value": "text",
         "bool_value": "flag", "trigger_value": "flag"}

_original_rerun = SessionState.on_script_will_rerun
_original_getitem = WStates.__getitem__


def _readable(meta, w) -> bool:
    """Whether the widget described by `meta` can take the value in state `w`."""
    if meta is None:
        return True  # a widget this session has not drawn yet: Streamlit ignores its value
    sent, own = _KIND.get(w.WhichOneof("value")), _KIND.get(meta.value_type)
    if sent is not None and own is not None and sent != own:
        return False
    value = unpack_widget_state_value(w)
    try:
        read = meta.deserializer(value)
    except Exception:
        return False
    # a number input swaps a NaN or a number past its bounds for its own default: refuse it instead
    return sent != "number" or read == value


def _drop_unreadable(metadata: dict, states) -> None:
    """Remove the values their widgets cannot take."""
    keep = [w for w in states.widgets if _readable(metadata.get(w.id), w)]
    if len(keep) != len(states.widgets):
        del states.widgets[:]
        states.widgets.extend(keep)


def _on_script_will_rerun(self, fresh_widget_states, *args, **kwargs):
    if fresh_widget_states is not None:
        _drop_unreadable(self._new_widget_state.widget_metadata, fresh_widget_states)
    return _original_rerun(self, fresh_widget_states, *args, **kwargs)


def _getitem(self, k):
    try:
        return _original_getitem(self, k)
    except KeyError:
        raise
    except Exception:  # the widget's deserializer refused a value of its own kind
        # the widget's value when the browser sends none: its default (replaced in place, since
        # Streamlit may be iterating over these states right now)
        value = self.widget_metadata[k].deserializer(None)
        self.states[k] = Value(value)
        return value


def install() -> None:
    """Patch once per process (idempotent)."""
    if SessionState.on_script_will_rerun is not _on_script_will_rerun:
        SessionState.on_script_will_rerun = _on_script_will_rerun
    if WStates.__getitem__ is not _getitem:
        WStates.__getitem__ = _getitem
