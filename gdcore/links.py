"""Share links: a lesson's whole state as a URL query string, and back, with nothing executed.

A page declares its shareable settings as `Field`s (query name, session key, kind, range). `decode`
turns `st.query_params` into session values, skipping anything malformed or out of range with a
`Note` the page shows; `encode` writes the current values back. Values are parsed as numbers or
matched against fixed choices; no query value is ever evaluated.

Reserved names, handled by the app rather than by a page's fields:
  lang   the language (en, zh)
  steps  steps taken: the run is replayed to this step, so the numbers match bit for bit
  hide   comma-separated control groups an instructor hid (see each page's HIDE_GROUPS)
  lock   1 = the instructor locked the preset: preset buttons and data choices are hidden
  seed   the sidebar seed every lesson reads (applied by the entry point, before the sidebar)
  preset a page's preset, loaded before the other values
  room   a class-board room the learner is invited to join (the sidebar's room box)
  token  the instructor's secret for a room's board (read by the board page only)
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RESERVED = ("lang", "steps", "hide", "lock", "seed", "preset", "room", "token")
MAX_LINK_STEPS = 1_000_000  # the most steps a link may replay (a long replay runs live, with Stop)
MAX_VALUE_CHARS = 64  # a longer query value is not a number or a name we know


@dataclass(frozen=True)
class Field:
    """One shareable setting: `name` in the URL, `key` in session state."""

    name: str
    key: str
    kind: str  # "float", "int", "bool", "choice", "number_choice" (a choice among numbers, matched by value),
    #            "optional_int" (empty = None) or "moves" ((w, b) set by hand: gdcore.manual)
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    log: bool = False  # only for the instructor page's inputs: a log-scale quantity

    def parse(self, raw: str) -> Any:
        """The value for a query string value; raises ValueError with a reason code."""
        raw = str(raw).strip()
        if self.kind == "moves":  # step:w:b,... read as numbers, bounded (gdcore.manual)
            from .manual import parse_moves
            return parse_moves(raw)
        if len(raw) > MAX_VALUE_CHARS:
            raise ValueError("too_long")
        if self.kind == "number_choice":  # `1e-5`, `0.00001` and `1e-05` are the same option
            x = _finite(raw)
            for c in self.choices:
                if x == c:
                    return c
            raise ValueError("unknown_choice")
        if self.kind == "choice":
            for c in self.choices:
                if raw == str(c) or raw.lower() == str(c).lower():
                    return c
            raise ValueError("unknown_choice")
        if self.kind == "bool":
            low = raw.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError("not_bool")
        if self.kind == "optional_int" and raw.lower() in ("", "none"):
            return None
        x = _finite(raw)
        if self.kind in ("int", "optional_int"):
            if x != int(x):
                raise ValueError("not_integer")
            x = int(x)
        if (self.lo is not None and x < self.lo) or (self.hi is not None and x > self.hi):
            raise ValueError("out_of_range")
        return x

    def format(self, value: Any) -> str | None:
        """The query string value for a session value (None: leave it out of the link)."""
        if value is None:
            return None
        if self.kind == "moves":
            from .manual import moves_text
            return moves_text(value) or None
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return repr(float(value))  # shortest string that parses back to the same float
        if self.kind in ("int", "optional_int"):
            return str(int(value))
        return str(value)


def _finite(raw: str) -> float:
    try:
        x = float(raw)
    except ValueError:
        raise ValueError("not_a_number") from None
    if not math.isfinite(x):
        raise ValueError("not_finite")
    return x


@dataclass(frozen=True)
class Note:
    """A query value that was not used, and why (a reason code a page turns into a sentence)."""

    name: str
    raw: str
    reason: str  # unknown_name, not_a_number, not_finite, not_integer, out_of_range, unknown_choice, ...
    field: Field | None = None


@dataclass
class Link:
    """What a query string asks for, after validation."""

    values: dict[str, Any] = field(default_factory=dict)  # session key -> value
    steps: int | None = None
    hide: tuple[str, ...] = ()
    lock: bool = False
    lang: str | None = None
    seed: int | None = None  # the sidebar seed (for a page that has no seed field of its own)
    notes: list[Note] = field(default_factory=list)


SEED_FIELD = Field("seed", "w.seed", "optional_int", 0, 2**31 - 1)
STEPS_FIELD = Field("steps", "", "int", 0, MAX_LINK_STEPS)
LOCK_FIELD = Field("lock", "", "bool")


def _bound(v: float | None) -> str:
    """A range end for a sentence: whole numbers with thousands separators, others in short form."""
    if v is None:
        return ""
    return f"{int(v):,}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


def note_text(note: Note, T) -> str:
    """One sentence for a skipped link value, with the bounds or choices its field allows."""
    f = note.field
    return T(f"ui.link.reason.{note.reason}", name=note.name, raw=note.raw,
             lo=_bound(f.lo) if f else "", hi=_bound(f.hi) if f else "",
             choices=", ".join(map(str, f.choices)) if f else "")


def _first(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return str(v[-1]) if v else ""
    return str(v)


def decode(params: Mapping[str, Any], fields: Sequence[Field], groups: Iterable[str] = (),
           ignore: Iterable[str] = ()) -> Link:
    """Validate a query string against a page's fields; bad values become notes, never errors."""
    by_name = {f.name: f for f in fields}
    groups = tuple(groups)
    link = Link()
    for name, raw_value in params.items():
        raw = _first(raw_value)
        if name in ignore:
            continue
        if name == "lang":
            from .i18n import LANGS
            if raw.lower().split("-")[0] in LANGS:
                link.lang = raw.lower().split("-")[0]
            else:
                link.notes.append(Note(name, raw[:MAX_VALUE_CHARS], "unknown_choice",
                                       Field("lang", "", "choice", choices=tuple(LANGS))))
        elif name == "steps":
            try:
                link.steps = STEPS_FIELD.parse(raw)
            except ValueError as exc:
                link.notes.append(Note(name, raw[:MAX_VALUE_CHARS], str(exc), STEPS_FIELD))
        elif name == "hide":
            wanted = [g.strip() for g in raw.split(",") if g.strip()]
            unknown = [g for g in wanted if g not in groups]
            link.hide = tuple(g for g in groups if g in wanted)
            if unknown:
                link.notes.append(Note(name, ",".join(unknown)[:MAX_VALUE_CHARS], "unknown_choice",
                                       Field("hide", "", "choice", choices=groups)))
        elif name == "lock":
            try:
                link.lock = LOCK_FIELD.parse(raw)
            except ValueError as exc:
                link.notes.append(Note(name, raw[:MAX_VALUE_CHARS], str(exc), LOCK_FIELD))
        elif name == "seed" and name not in by_name:
            try:
                link.seed = SEED_FIELD.parse(raw)
            except ValueError as exc:
                link.notes.append(Note(name, raw[:MAX_VALUE_CHARS], str(exc), SEED_FIELD))
        elif name in by_name:
            f = by_name[name]
            try:
                link.values[f.key] = f.parse(raw)
            except ValueError as exc:
                link.notes.append(Note(name, raw[:MAX_VALUE_CHARS], str(exc), f))
        else:
            link.notes.append(Note(name[:MAX_VALUE_CHARS], raw[:MAX_VALUE_CHARS], "unknown_name"))
    return link


def encode(values: Mapping[str, Any], fields: Sequence[Field], *, steps: int | None = None,
           hide: Sequence[str] = (), lock: bool = False, lang: str | None = None,
           seed: int | None = None) -> dict[str, str]:
    """The query parameters for the current values (fields in their declared order, then reserved names).

    `seed` is the sidebar seed; a page's own seed field, when it has one, wins.
    """
    out: dict[str, str] = {}
    for f in fields:
        if f.key in values:
            s = f.format(values[f.key])
            if s is not None:
                out[f.name] = s
    if seed is not None and "seed" not in out:
        out["seed"] = str(int(seed))
    if steps:
        out["steps"] = str(int(steps))
    if hide:
        out["hide"] = ",".join(hide)
    if lock:
        out["lock"] = "1"
    if lang and lang != "en":
        out["lang"] = lang
    return out


def query_string(params: Mapping[str, str]) -> str:
    """`?a=1&b=2` for a link (values URL-encoded)."""
    from urllib.parse import urlencode
    return "?" + urlencode(params) if params else ""


def parse_link(text: str) -> dict[str, str]:
    """The query parameters of a pasted link (or a bare `?a=1&b=2` / `a=1&b=2`); never evaluated."""
    from urllib.parse import parse_qsl, urlsplit
    text = (text or "").strip()
    if not text:
        return {}
    query = urlsplit(text).query if ("://" in text or text.startswith("/")) else text.lstrip("?")
    return dict(parse_qsl(query, keep_blank_values=True)[:100])


def page_url(current_url: str | None, slug: str) -> str:
    """The URL of another page of this app (its slug in gdcore.registry), from the URL of the page being viewed."""
    if not current_url:
        return "/" + slug
    return current_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[0] + "/" + slug
