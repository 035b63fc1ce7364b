"""Timing helpers shared by the benchmark modules."""

from __future__ import annotations

import timeit
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure: the best of several repeats, per call."""

    name: str
    microseconds: float
    calls: int

    def __str__(self) -> str:
        return f"{self.name:<58} {self.microseconds:9.1f} us/call  (best of repeats, {self.calls} calls each)"


def best_per_call(
    name: str, call: Callable[[], object], *, number: int = 2000, repeat: int = 7
) -> Figure:
    """Time ``call`` and keep the best repeat: the least disturbed by other processes."""
    call()  # warm caches (pydantic validators, imports) before measuring
    best = min(timeit.repeat(call, number=number, repeat=repeat))
    return Figure(name=name, microseconds=best / number * 1e6, calls=number)
