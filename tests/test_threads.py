"""A run trained on another thread gives the same bits as on the main thread (gdcore.threads.pin)."""
from __future__ import annotations

import os
import threading

import pytest
import torch

from gdcore import threads


def _product_in_new_thread(pin: bool) -> float:
    out = {}

    def work():
        if pin:
            threads.pin()
        g = torch.Generator().manual_seed(0)
        x = torch.randn(1000, 1, generator=g)
        out["v"] = torch.mm(x.T, x).item()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return out["v"]


def _product_here() -> float:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1000, 1, generator=g)
    return torch.mm(x.T, x).item()


def test_a_pinned_thread_sums_like_the_main_thread():
    torch.set_num_threads(1)
    assert _product_in_new_thread(pin=True) == _product_here()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every thread sums the same way anyway")
def test_the_pitfall_run_is_bit_identical_on_a_worker_thread():
    """d2l's full-tensor pitfall: a 1000-row matrix product per step, where the thread count shows."""
    from gdcore import Run, preset_config
    from gdcore.presets import get_preset
    torch.set_num_threads(1)

    def make():
        return Run(preset_config("linreg-d2l", seed=get_preset("linreg-d2l").seed, device="cpu", batch_size=40,
                                 lr=0.005, epochs=2, shuffle=False, full_tensor_pitfall=True))

    here = make()
    here.run(30)
    out = {}

    def work():
        threads.pin()
        other = make()
        other.run(30)
        out["run"] = other

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out["run"].losses().tobytes() == here.losses().tobytes()
