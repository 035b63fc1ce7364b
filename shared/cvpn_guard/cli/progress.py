"""A dependency-free progress bar for scans: one line on stderr, counts per region.

Sweeps call ``update`` from one thread per region after every endpoint; redraws are
throttled so a fast scan of thousands of endpoints does not spend its time repainting.
The line is rewritten in place with a carriage return (no ANSI escapes), so a bar forced on
with ``--progress`` into a file stays readable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TextIO

BAR_WIDTH = 24
MIN_REDRAW_SECONDS = 0.1


@dataclass
class RegionProgress:
    """Endpoints done in one region, out of ``total`` when it is known."""

    done: int = 0
    total: int | None = None


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def _bar(fraction: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def render_line(regions: Mapping[str, RegionProgress], elapsed: float, width: int = 120) -> str:
    """The progress line for ``regions`` after ``elapsed`` seconds, at most ``width`` long.

    With every region's total known: a bar, done/total, per-region counts and an ETA.
    Otherwise (a region could not be counted): the counts and the rate only.
    """
    done = sum(region.done for region in regions.values())
    totals = [region.total for region in regions.values()]
    per_region = "  ".join(
        f"{name} {region.done}" + (f"/{region.total}" if region.total is not None else "")
        for name, region in regions.items()
    )
    rate = done / elapsed if elapsed > 0 else 0.0
    if all(total is not None for total in totals):
        total = sum(t for t in totals if t is not None)
        fraction = done / total if total else 1.0
        eta = f"  ETA {_clock((total - done) / rate)}" if 0 < done < total and rate else ""
        line = f"{_bar(fraction)} {done}/{total} endpoints  {per_region}  {_clock(elapsed)}{eta}"
    else:
        line = f"scanning: {done} endpoints  {per_region}  {rate:.0f}/s  {_clock(elapsed)}"
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


class ProgressBar:
    """Thread-safe progress line on ``stream``.

    Parameters
    ----------
    regions
        The regions being scanned, in display order.
    stream
        Where to draw (stderr).
    clock
        Monotonic seconds; injected by tests.
    width
        Maximum line length (the terminal's width).
    """

    def __init__(
        self,
        regions: Iterable[str],
        stream: TextIO,
        *,
        clock: Callable[[], float] = time.monotonic,
        width: int = 120,
        min_interval: float = MIN_REDRAW_SECONDS,
    ) -> None:
        self._regions = {region: RegionProgress() for region in regions}
        self._stream = stream
        self._clock = clock
        self._width = width
        self._min_interval = min_interval
        self._lock = threading.Lock()
        self._started = clock()
        self._last_draw: float | None = None
        self._drawn_length = 0

    def set_total(self, region: str, total: int) -> None:
        """Record how many endpoints ``region`` has."""
        with self._lock:
            self._regions.setdefault(region, RegionProgress()).total = total

    def update(self, region: str, done: int) -> None:
        """``done`` endpoints of ``region`` are finished (the sweep's progress callback)."""
        with self._lock:
            state = self._regions.setdefault(region, RegionProgress())
            state.done = done
            if state.total is not None and done > state.total:
                state.total = done  # endpoints created during the scan
            now = self._clock()
            if self._last_draw is None or now - self._last_draw >= self._min_interval:
                self._draw(now)

    def close(self) -> None:
        """Draw the final state and end the line."""
        with self._lock:
            self._draw(self._clock())
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, now: float) -> None:
        line = render_line(self._regions, now - self._started, self._width)
        # Pad over the previous line's tail instead of an ANSI clear-to-end-of-line.
        padding = " " * max(0, self._drawn_length - len(line))
        self._stream.write("\r" + line + padding)
        self._stream.flush()
        self._drawn_length = len(line)
        self._last_draw = now
