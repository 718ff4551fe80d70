"""The sessions a room left behind are let go when their time is up, not when the next learner comes.

Streamlit keeps a disconnected session (a closed tab, a dropped laptop) for
`server.disconnectedSessionTTL` seconds, so that a learner who comes back finds the run where it
was. It keeps them in a cache that drops an expired entry only when the cache is next used (its
length reaps; reading its values does not): after a room has left, up to 128 sessions with their
runs stay in memory until another learner connects or leaves, about 80 MB for the lesson pages.
Once a minute the process's housekeeping has Streamlit's event loop reap that cache, then sweeps.

This reaches into Streamlit internals (`Runtime._session_mgr._session_storage._cache`, a
`MemorySessionStorage`'s TTLCache); tests/test_session_reaper.py fails if an upgrade moves them,
and until then a Streamlit without them is left as it is.
"""
from __future__ import annotations

import threading
from collections.abc import Sized


def _storage_cache(runtime) -> Sized | None:
    """The cache of disconnected sessions, where this Streamlit keeps one (else None)."""
    manager = getattr(runtime, "_session_mgr", None)
    storage = getattr(manager, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    return cache if isinstance(cache, Sized) and hasattr(cache, "expire") else None


def reap(timeout_s: float = 10.0) -> bool:
    """Have the server's event loop drop the expired disconnected sessions, and wait (at most
    timeout_s) until it has, so that the sweep after it finds their memory free; False where there is
    no running server (tests, scripts) or this Streamlit keeps them otherwise. Call it from any thread
    but the loop's own: the cache is not thread-safe, so the reaping runs on the loop that owns it."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    runtime = Runtime.instance()
    cache = _storage_cache(runtime)
    loop = getattr(getattr(runtime, "_async_objs", None), "eventloop", None)
    if cache is None or loop is None or loop.is_closed():
        return False
    done = threading.Event()

    def on_loop() -> None:
        try:
            len(cache)  # TTLCache.__len__ expires what is due, then counts
        finally:
            done.set()
    loop.call_soon_threadsafe(on_loop)
    return done.wait(timeout_s)
