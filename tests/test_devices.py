"""gdcore.devices: naming devices, and never a silent fallback."""
from __future__ import annotations

import pytest
import torch

from gdcore.devices import available_devices, resolve_device
from gdcore.engine import init
from gdcore.errors import DeviceError
from gdcore.presets import preset_config

HAS_CUDA = torch.cuda.is_available()


def test_cpu_resolves():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


def test_available_devices_start_with_auto_and_cpu():
    names = available_devices()
    assert names[:2] == ["auto", "cpu"]
    assert ("cuda" in names) == HAS_CUDA
    assert len(names) == len(set(names))


def test_auto_picks_the_best_available():
    expected = "cuda" if HAS_CUDA else ("mps" if "mps" in available_devices() else "cpu")
    assert resolve_device("auto").type == expected
    assert resolve_device("").type == expected


@pytest.mark.skipif(HAS_CUDA, reason="this machine has CUDA")
def test_cuda_without_a_gpu_is_an_error():
    for name in ("cuda", "cuda:0", "CUDA"):
        with pytest.raises(DeviceError, match="not available") as info:
            resolve_device(name)
        assert "cpu" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(DeviceError):
        init(preset_config("linreg-module", steps=5, device="cuda"))


@pytest.mark.skipif(not HAS_CUDA, reason="needs CUDA")
def test_cuda_index_out_of_range_is_an_error():
    with pytest.raises(DeviceError, match="does not exist"):
        resolve_device(f"cuda:{torch.cuda.device_count()}")


@pytest.mark.parametrize("name", ["tpu", "gpu", "xla", "cpux"])
def test_unknown_device_is_an_error_listing_the_choices(name):
    with pytest.raises(DeviceError, match="unknown device") as info:
        resolve_device(name)
    for choice in available_devices():
        assert choice in str(info.value)


def test_a_run_on_cpu_keeps_its_tensors_there():
    run = init(preset_config("linreg-module", steps=3, device="cpu"))
    run.run()
    assert run.device.type == "cpu" and run.X.device.type == "cpu"
    assert all(p.device.type == "cpu" for p in run.model.parameters())
