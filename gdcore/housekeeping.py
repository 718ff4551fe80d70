"""Memory back to the system: a full garbage collection, then malloc_trim, once a minute per process.

Streamlit would run gc.collect() after every script run of every session; on a shared server that
walked every session's objects on every click (see .streamlit/config.toml, runner.postScriptGC).
Python's own generational collector still runs; this adds the full collection at a pace that costs
nothing (tens of milliseconds a minute), and hands freed pages back to the operating system
(glibc keeps them otherwise, so a room that has left would still look as large as it was).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, where there is one."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def sweep() -> int:
    """One full collection and a trim; returns the number of unreachable objects found."""
    found = gc.collect()
    if _TRIM is not None:
        _TRIM(0)
    return found


def settle_startup() -> int:
    """Collect once, then take every object alive now out of the collector's reach (gc.freeze); returns
    how many objects that is. Called once per server process, after its imports: the modules (torch,
    Streamlit, pandas, Altair, about 280,000 objects) live as long as the process, and a full
    collection, Python's own or the sweep's, no longer walks them. Under a room of 50 learners a process's
    full collections took 300 to 950 ms each, holding every session still; with this, 125 to 275 ms.
    A cycle among the objects frozen here is never collected: call it before sessions come."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class Sweeper:
    """A daemon thread that sweeps every interval_s seconds until stop(); `before`, if given, is called
    first each time (the server's own chores: the app lets go of the sessions a room left behind)."""

    def __init__(self, interval_s: float = 60.0, before: Callable[[], object] | None = None):
        self.interval_s = interval_s
        self.before = before
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="gdcore-housekeeping", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            if self.before is not None:
                try:
                    self.before()
                except Exception:  # noqa: BLE001 (a chore that fails must not stop the sweeps)
                    pass
            sweep()

    def start(self) -> Sweeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join()


_process: Sweeper | None = None
_lock = threading.Lock()


def start(interval_s: float = 60.0, before: Callable[[], object] | None = None) -> Sweeper:
    """The process's sweeper (started on the first call; later calls return it)."""
    global _process
    with _lock:
        if _process is None:
            _process = Sweeper(interval_s, before).start()
        return _process
