"""In-process ``EndpointLocks`` and ``NoticeOutbox``: for the CLI and for deployments without
a state table, where one process is the only writer."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any


class _ThreadLock:
    """A lock of this process: held until released, it never expires."""

    def renew(self) -> None:
        """Nothing to extend."""


class InMemoryState:
    """Per-key locks and an outbox dict, safe across threads of one process."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._outbox: dict[str, Mapping[str, Any]] = {}

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
