"""Shared test setup: import path, one torch thread, RNG guards (the tutorials' loops: gdcore.loops.tutorials)."""
from __future__ import annotations

import contextlib
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

torch.set_num_threads(1)


@contextlib.contextmanager
def global_rngs_restored():
    """Run code that seeds torch's, numpy's or random's global generator, then put them back."""
    torch_state = torch.random.get_rng_state()
    np_state = np.random.get_state()
    py_state = random.getstate()
    try:
        yield
    finally:
        torch.random.set_rng_state(torch_state)
        np.random.set_state(np_state)
        random.setstate(py_state)


@pytest.fixture
def restore_global_rngs():
    """For tests that call reference code seeding the global generators (torch.manual_seed, ...)."""
    with global_rngs_restored():
        yield
