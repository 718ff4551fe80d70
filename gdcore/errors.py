"""Errors a user can cause; each carries one sentence that says what to fix.

An error raised with a `key` (or a Message) has its sentence in every language: `exc.message` is the
Message (`errors.<key>` in gdcore/locales/<lang>/errors.toml with the error's values), which a page
translates; `str(exc)` is the English sentence (the CLI and the API print it).
"""
from __future__ import annotations

from .i18n import Message, english


class GdError(ValueError):
    """Bad input: the message is one plain sentence meant for the learner."""

    def __init__(self, message: str | Message | None = None, *, key: str | None = None, **values) -> None:
        if message is None:
            if key is None:
                raise TypeError("GdError needs a message or a key")
            message = Message.of(f"errors.{key}", **values)
        elif isinstance(message, str):
            message = Message.verbatim(message)
        super().__init__(english(message))
        self.key = key
        self.values = values
        self.message = message


class ConfigError(GdError):
    """A configuration field is out of range or unknown."""


class DataError(GdError):
    """A data set (generated or uploaded) cannot be used."""


class DeviceError(GdError):
    """The requested device does not exist on this machine."""
