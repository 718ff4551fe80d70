"""Errors a user can cause; each carries one sentence that says what to fix.

An error raised with a `key` has its sentence in every language: `str(exc)` is the English one
(the CLI and the API print it), `exc.text(T)` the one in T's language, from the template
`errors.<key>` in gdcore/locales/<lang>/errors.toml filled with the same values.
"""
from __future__ import annotations


class GdError(ValueError):
    """Bad input: the message is one plain sentence meant for the learner."""

    def __init__(self, message: str | None = None, *, key: str | None = None, **values) -> None:
        if message is None:
            if key is None:
                raise TypeError("GdError needs a message or a key")
            from .i18n import translator
            message = translator("en")(f"errors.{key}", **values)
        super().__init__(message)
        self.key = key
        self.values = values

    def text(self, T=None) -> str:
        """The sentence in T's language (the English message when there is no T or no key)."""
        if T is None or self.key is None:
            return str(self)
        return T(f"errors.{self.key}", **self.values)


class ConfigError(GdError):
    """A configuration field is out of range or unknown."""


class DataError(GdError):
    """A data set (generated or uploaded) cannot be used."""


class DeviceError(GdError):
    """The requested device does not exist on this machine."""
