"""gdcore: gradient descent, step by step, in real PyTorch. The tested core of the dashboard."""
from .api import Result, run_preset
from .config import Config
from .data import Dataset, load_csv, make_dataset
from .devices import available_devices, resolve_device
from .engine import Run, init, step
from .errors import ConfigError, DataError, DeviceError, GdError
from .presets import DESCRIPTIONS, PRESETS, get_preset, preset_config

__all__ = [
    "Config", "ConfigError", "DataError", "Dataset", "DESCRIPTIONS", "DeviceError", "GdError", "PRESETS",
    "Result", "Run", "available_devices", "get_preset", "init", "load_csv", "make_dataset",
    "preset_config", "resolve_device", "run_preset", "step",
]
