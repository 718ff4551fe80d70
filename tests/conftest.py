"""Shared test setup: import path, one torch thread, the trusted tutorial loops, RNG guards."""
from __future__ import annotations

import contextlib
import importlib.util
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


def _load_tutorial_loops():
    path = ROOT / "benchmarks" / "tutorial_loops.py"
    spec = importlib.util.spec_from_file_location("tutorial_loops", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tutorial_loops():
    """benchmarks/tutorial_loops.py: plain copies of the tutorials' loops (trusted references)."""
    return _load_tutorial_loops()


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
