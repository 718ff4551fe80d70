"""Errors a user can cause; each carries one sentence that says what to fix."""


class GdError(ValueError):
    """Bad input: the message is one plain sentence meant for the learner."""


class ConfigError(GdError):
    """A configuration field is out of range or unknown."""


class DataError(GdError):
    """A data set (generated or uploaded) cannot be used."""


class DeviceError(GdError):
    """The requested device does not exist on this machine."""
