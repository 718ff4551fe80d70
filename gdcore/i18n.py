"""Every word the app shows, in English and Simplified Chinese, looked up by key.

The strings live in one place per language: `gdcore/locales/<lang>/*.toml`, one file per page (named
by its slug) or topic. A file `linear_regression.toml` with a key `title` gives the key
`linear_regression.title`; nested tables add dots. Values are `str.format` templates
(`"step {n} of {total}"`); both languages must have the same keys and the same placeholders
(tests/test_i18n.py checks it).

The core never picks a language: it returns `Message`s (a key and the values its template needs),
and a page turns them into words with its `Translator`. Chart builders take `labels`, one
language's templates by key (`Translator.labels`). English, the language of the CLI and of
`str(exc)`, is the one fallback, here.
"""
from __future__ import annotations

import functools
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

LOCALES = Path(__file__).with_name("locales")
LANGS = ("en", "zh")
DEFAULT = "en"
LANG_NAMES = {"en": "English", "zh": "简体中文"}


def _flatten(table: dict, prefix: str, out: dict[str, str]) -> None:
    for k, v in table.items():
        key = f"{prefix}.{k}"
        if isinstance(v, dict):
            _flatten(v, key, out)
        else:
            out[key] = str(v)


@functools.cache
def strings(lang: str) -> dict[str, str]:
    """All of one language's strings, by dotted key (read once per process, never mutated)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    out: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        with path.open("rb") as f:
            _flatten(tomllib.load(f), path.stem, out)
    return out


def placeholders(template: str) -> set[str]:
    """The named fields of a template (`{n:,}` -> `n`)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def normalize(lang: str | None) -> str:
    """A supported language code for a user's choice (`zh-CN`, `ZH`, `zh_Hans` -> `zh`); else the default."""
    if not lang:
        return DEFAULT
    code = str(lang).strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGS else DEFAULT


@dataclass(frozen=True)
class Message:
    """A sentence as data: its key in the locale files and the values its template is filled with.

    A value may itself be a Message (translated first) or a tuple of them (joined). key None: a
    sentence made outside the locale files, the value `text`, shown as it is in every language.
    Messages compare and hash by key and values, so they can name a chart's series.
    """

    key: str | None
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **values) -> Message:
        return cls(key, tuple((k, tuple(v) if isinstance(v, list) and _is_text(v) else v) for k, v in values.items()))

    @classmethod
    def verbatim(cls, text: str) -> Message:
        return cls(None, (("text", text),))

    @property
    def values(self) -> dict[str, object]:
        return dict(self.params)


Text = Message | list[Message] | tuple[Message, ...]  # a list: its parts one after another


def joined(separator: str, parts) -> list[Message]:
    """A Text of parts with a separator between them (what `separator.join` does to their words)."""
    out: list[Message] = []
    for part in parts:
        if out:
            out.append(Message.verbatim(separator))
        out += list(part) if isinstance(part, (list, tuple)) else [part]
    return out


def _is_text(v: object) -> bool:
    if isinstance(v, (list, tuple)):
        return bool(v) and all(isinstance(p, Message) for p in v)
    return isinstance(v, Message)


def say(labels: Mapping[str, str], text: str | Text, /, **values) -> str:
    """Words from one language's templates: a key filled with values, a Message, or a Text's parts joined.

    Values that are Messages (or Texts) are put in words first."""
    if isinstance(text, (list, tuple)):  # a Text of several parts
        return "".join(say(labels, part) for part in text)
    if isinstance(text, Message):
        if text.key is None:
            return str(text.values["text"])
        text, values = text.key, text.values
    values = {k: say(labels, v) if _is_text(v) else v for k, v in values.items()}
    template = labels.get(text)
    if template is None:
        raise KeyError(f"no string {text!r}")
    return template.format(**values)  # always, so `{{` means `{` in every string


class Translator:
    """`T("linear_regression.title")`, `T("ui.step_of", n=3, total=10)` or `T(message)` in one language."""

    def __init__(self, lang: str = DEFAULT) -> None:
        self.lang = normalize(lang)
        self._table = strings(self.lang)
        self._fallback = strings(DEFAULT)
        # the language's templates by key, English where a key is missing
        self.labels: Mapping[str, str] = MappingProxyType({**self._fallback, **self._table})

    def __call__(self, key: str | Text, /, **values) -> str:
        return say(self.labels, key, **values)

    def capitalized(self, text: str | Text) -> str:
        """The words of a Text with the first letter in upper case (a sentence made of parts)."""
        words = self(text)
        return words[:1].upper() + words[1:]

    def frame(self, frame):
        """A copy of a DataFrame with its Message cells and Message column names in words."""
        out = frame.rename(columns=lambda c: self(c) if isinstance(c, Message) else c)
        for col in out.columns:
            if out[col].dtype == object:
                out[col] = [self(v) if _is_text(v) else v for v in out[col]]
        return out

    def record(self, value):
        """A copy of plain data (dicts, lists) with every Message in it in words (a list of nothing but
        Messages is a Text: its words are joined)."""
        if _is_text(value):
            return self(value)
        if isinstance(value, dict):
            return {k: self.record(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.record(v) for v in value]
        return value

    def has(self, key: str) -> bool:
        return key in self.labels


@functools.cache
def translator(lang: str | None = DEFAULT) -> Translator:
    """The (shared, read-only) translator for a language."""
    return Translator(normalize(lang))


def english(text: Text) -> str:
    """A message in English: what the CLI prints and `str(exc)` holds."""
    return translator(DEFAULT)(text)


def labels(lang: str | None = DEFAULT) -> Mapping[str, str]:
    """One language's templates by key, English where a key is missing (what chart builders take)."""
    return translator(lang).labels
