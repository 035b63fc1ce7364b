"""Timing helper of the in-process benchmarks."""

from __future__ import annotations

import timeit
from collections.abc import Callable


def best_per_call(call: Callable[[], object], *, number: int = 2000, repeat: int = 7) -> float:
    """Microseconds per call of ``call``, from the best repeat: the least disturbed by other
    processes on a shared machine."""
    call()  # warm caches (pydantic validators, imports) before measuring
    best = min(timeit.repeat(call, number=number, repeat=repeat))
    return best / number * 1e6
