"""In-process ``EndpointLocks``, ``NoticeOutbox`` and ``WindowLedger``: for the CLI and for
deployments without a state table, where one process is the only writer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class _ThreadLock:
    """A lock of this process: held until released, it never expires."""

    def renew(self) -> None:
        """Nothing to extend."""


class InMemoryState:
    """Per-key locks and an outbox dict, safe across threads of one process."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._outbox: dict[str, Mapping[str, Any]] = {}
        self._windows: dict[str, float] = {}
        self._clock = clock

    @contextmanager
    def hold(self, key: str) -> Iterator[_ThreadLock]:
        """Hold the lock of ``key`` for the ``with`` block."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield _ThreadLock()

    def pending(self, key: str) -> Mapping[str, Any] | None:
        """The outbox record of ``key``, if any."""
        with self._guard:
            return self._outbox.get(key)

    def save(self, key: str, record: Mapping[str, Any]) -> None:
        """Save the outbox record of ``key``."""
        with self._guard:
            self._outbox[key] = dict(record)

    def window_settled(self, key: str) -> bool:
        """Whether the window opening ``key`` is marked settled (and the mark not expired)."""
        with self._guard:
            return self._windows.get(key, 0.0) > self._clock()

    def settle_window(self, key: str, until: float) -> None:
        """Mark the window opening ``key`` settled until ``until`` (epoch seconds)."""
        with self._guard:
            self._windows[key] = until
