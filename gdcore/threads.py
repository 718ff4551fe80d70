"""Every thread that trains computes like the main thread: one process-wide torch thread count.

`torch.set_num_threads(n)` sets ATen's intra-op count for the whole process, but OpenMP and MKL keep
their thread count per OS thread: a thread started later (each Streamlit script run and fragment
run, the long-run worker, a test's thread) still splits a matrix product over every core. Its sums
then come out in another order (different last bits than the same run on the main thread, the CLI
or the exported script), and thirty learners' threads each fan out over all cores at once.
`pin()` gives the calling thread the process's count; it is called where training starts and costs
a thread-local lookup after the first time in a thread.
"""
from __future__ import annotations

import threading

import torch

_local = threading.local()


def pin() -> None:
    """Apply the process's torch thread count to this thread's OpenMP and MKL (once per thread and count)."""
    n = torch.get_num_threads()
    if getattr(_local, "n", None) != n:
        torch.set_num_threads(n)
        _local.n = n
