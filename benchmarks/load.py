"""The machine's load average through the bench, section by section.

A ratio of two cold starts measured in the same round carries over from one machine to another
only when nothing else competed for the cores; the load average says whether something did.
``LoadWatch`` samples ``os.getloadavg()`` when the run starts, then every few seconds (a daemon
thread) and at each section's end, and keeps per section the largest one-minute average.

The bench's own processes count in it: one probe run after another would hold the average
near 1 on their own, so the paired sections rest between runs (``rested``): as long again as
each run took, which keeps their own share near 0.5 and leaves the average below ``QUIET``
unless something else competes. The sweep and organization-mode sections run an emulator beside
a function (two busy processes on two cores) without rests, so only the start and the paired
sections (``PAIRED``) say whether the machine was quiet; the others are recorded beside them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

QUIET = 1.0  # the one-minute load average a published run stays at or below
PAIRED = ("cold start", "first invocation")  # sections of paired ratios
REST = 1.0  # seconds a paired section rests per second of run

T = TypeVar("T")


def rested(
    run: Callable[[], T], *, rest: float = REST, sleep: Callable[[float], None] = time.sleep
) -> T:
    """``run()``, then a rest ``rest`` times as long as it took: the bench's own load stays
    near ``1 / (1 + rest)`` of one core, so the load average tells whether others competed."""
    began = time.perf_counter()
    result = run()
    sleep((time.perf_counter() - began) * rest)
    return result


def one_minute() -> float:
    """The one-minute load average now."""
    return os.getloadavg()[0]


class LoadWatch:
    """The largest one-minute load average seen, per section, from ``start`` on."""

    def __init__(self, sample: Callable[[], float] = one_minute, every: float = 2.0) -> None:
        self._sample = sample
        self._every = every
        self.start = sample()
        self.sections: dict[str, float] = {}

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Sample through the ``with`` block, at its start and end included."""
        seen = [self._sample()]
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(self._every):
                seen.append(self._sample())

        thread = threading.Thread(target=watch, name=f"load-{name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            seen.append(self._sample())
            self.sections[name] = max(seen)

    @property
    def paired_max(self) -> float:
        """The largest one-minute average at the start and through the paired sections."""
        return max([self.start, *(v for k, v in self.sections.items() if k in PAIRED)])

    def record(self) -> dict[str, Any]:
        """What results.json keeps: the start, each section's max and the paired sections'."""
        return {
            "one_minute_at_start": round(self.start, 2),
            "one_minute_max_by_section": {k: round(v, 2) for k, v in self.sections.items()},
            "paired_sections": list(PAIRED),
            "one_minute_max_paired": round(self.paired_max, 2),
        }
