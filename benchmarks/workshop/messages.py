"""What a browser keeps between runs, message by message: the value it reports for each widget it
was sent (the codec from a widget's proto to its WidgetState), and the ForwardMsg cache.
"""
from __future__ import annotations

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState


def widget_value(kind: str, proto) -> WidgetState | None:
    """The value the browser reports for a freshly drawn widget (None: not a value widget).

    Buttons only ever send a trigger; kinds not listed keep the server's last value (the server
    then uses its own copy, which is what a browser that never touched them would send too).
    """
    state = WidgetState(id=proto.id)
    if kind == "number_input":
        value = proto.value if proto.HasField("value") else (proto.default if proto.HasField("default") else None)
        if value is not None:
            if proto.data_type == NumberInput.INT:
                state.int_value = int(value)
            else:
                state.double_value = value
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("selectbox", "radio"):
        if proto.set_value and proto.HasField("raw_value"):
            state.string_value = proto.raw_value
        elif 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
    elif kind in ("text_input", "text_area"):
        state.string_value = proto.value if proto.set_value else proto.default
    elif kind == "slider":  # its value (or values, for a range) as doubles, as the browser reports them
        state.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        return None
    return state


class MessageCache:
    """The browser's ForwardMsg cache (frontend `ForwardMessageCache`).

    Cacheable messages (large `new_element` deltas) are kept by hash; the server then sends a
    small `ref_hash` message for any hash the client listed in its rerun request. After each
    finished run a message not used for more than `max_age` runs is dropped (for a fragment
    run, only messages of that fragment age).
    """

    def __init__(self) -> None:
        self.messages: dict[str, list] = {}  # hash -> [raw bytes, run count when last used, fragment id]
        self.run_count = 0
        self.misses = 0

    def resolve(self, msg: ForwardMsg, raw: bytes) -> ForwardMsg | None:
        """The full message for `msg` (itself, or the cached one a ref_hash points to)."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                entry = self.messages.get(msg.hash)
                if entry is None:
                    self.messages[msg.hash] = [raw, self.run_count, msg.delta.fragment_id]
                else:
                    entry[1] = self.run_count
            return msg
        entry = self.messages.get(msg.ref_hash)
        if entry is None:  # the browser shows "Cached ForwardMsg MISS" here
            self.misses += 1
            return None
        entry[1] = self.run_count
        full = ForwardMsg.FromString(entry[0])
        full.metadata.CopyFrom(msg.metadata)
        return full

    def finished_run(self, max_age: int, fragment_ids) -> None:
        self.run_count += 1
        for key, (_, used, fragment) in list(self.messages.items()):
            if fragment_ids and fragment not in fragment_ids:
                continue
            if self.run_count - used > max_age:
                del self.messages[key]

    def hashes(self) -> list[str]:
        return list(self.messages)
