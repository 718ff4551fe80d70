"""pages/ui/session_reaper.py: a disconnected session whose time is up is let go at the next reap, on the
server's event loop, and not only when another learner comes. Fails if a Streamlit upgrade moves the
internals it reaches (then the README's churn figures need measuring again)."""
from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest
from streamlit.runtime import Runtime
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from pages.ui import session_reaper


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _storage_with_one_expired_session() -> tuple[MemorySessionStorage, _Clock]:
    storage = MemorySessionStorage(ttl_seconds=120)
    clock = _Clock()
    storage._cache._timer = clock  # the cache's own clock, moved on by hand
    storage.save(SimpleNamespace(session=SimpleNamespace(id="left-the-room"), client=None))
    clock.now += 121
    return storage, clock


def test_streamlits_store_keeps_an_expired_session_until_it_is_counted():
    storage, _ = _storage_with_one_expired_session()
    assert storage.list() == []  # not listed...
    assert "left-the-room" in storage._cache._data  # ...but still held, with all its runs
    assert len(storage._cache) == 0  # counting drops it
    assert "left-the-room" not in storage._cache._data


def test_the_session_manager_keeps_its_store_where_the_reaper_looks():
    storage = MemorySessionStorage()
    manager = WebsocketSessionManager(storage, uploaded_file_manager=None, script_cache=None,
                                      message_enqueued_callback=None)
    assert session_reaper._storage_cache(SimpleNamespace(_session_mgr=manager)) is storage._cache


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def test_reap_drops_the_expired_session_on_the_servers_loop(loop, monkeypatch):
    storage, _ = _storage_with_one_expired_session()
    on_loop = []
    expire = storage._cache.expire

    def noted_expire(*args, **kwargs):
        on_loop.append(threading.current_thread())
        return expire(*args, **kwargs)
    monkeypatch.setattr(storage._cache, "expire", noted_expire)
    runtime = SimpleNamespace(_session_mgr=SimpleNamespace(_session_storage=storage),
                              _async_objs=SimpleNamespace(eventloop=loop))
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: runtime))
    assert session_reaper.reap(timeout_s=30)  # returns once the loop has run it
    assert "left-the-room" not in storage._cache._data
    assert on_loop and on_loop[0] is not threading.current_thread()  # reaped on the loop, not here


def test_reap_without_a_server_does_nothing(monkeypatch):
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: False))
    assert session_reaper.reap() is False
