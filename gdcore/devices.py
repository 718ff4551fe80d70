"""Which torch devices exist here, and turning a name into one (never a silent fallback)."""
from __future__ import annotations

import torch

from .errors import DeviceError

DEVICE_NAMES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Devices a user may pick on this machine, 'auto' first."""
    names = ["auto", "cpu"]
    if torch.cuda.is_available():
        names.append("cuda")
    if _mps_available():
        names.append("mps")
    return names


def resolve_device(name: str) -> torch.device:
    """'auto' picks cuda, then mps, then cpu; an unavailable name is an error."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    base = name.split(":", 1)[0]
    if base not in DEVICE_NAMES:
        raise DeviceError(key="device_unknown", name=repr(name), options=", ".join(available_devices()))
    if base == "cuda" and not torch.cuda.is_available():
        raise DeviceError(key="device_no_cuda", name=repr(name), options=", ".join(available_devices()))
    if base == "mps" and not _mps_available():
        raise DeviceError(key="device_no_mps", name=repr(name), options=", ".join(available_devices()))
    try:
        dev = torch.device(name)
    except RuntimeError as exc:
        raise DeviceError(key="device_invalid", name=repr(name), reason=str(exc)) from None
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise DeviceError(key="device_missing", name=repr(name), count=torch.cuda.device_count())
    return dev
