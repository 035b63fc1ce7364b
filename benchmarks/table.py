"""The one table ``make bench`` prints, and ``benchmarks/results.json`` with the same rows."""

from __future__ import annotations

import json
import operator
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

RESULTS = Path(__file__).resolve().with_name("results.json")

Comparison = Literal["at_most", "below", "exactly", "at_least"]
BOUNDS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "at_most": ("<=", operator.le),
    "below": ("<", operator.lt),
    "exactly": ("=", operator.eq),
    "at_least": (">=", operator.ge),
}


@dataclass(frozen=True)
class Row:
    """One figure. ``target`` is a bound the figure must meet (see ``BOUNDS``); rows without
    one are context (memory, counts, the rates that ratios are made of). A paired ratio is the
    median of ``pairs`` per-round ratios, ``low`` and ``high`` the least and the largest."""

    section: str
    name: str
    value: float
    unit: str
    target: float | None = None
    compare: Comparison = "at_most"
    note: str = ""
    low: float | None = None
    high: float | None = None
    pairs: int | None = None

    def figure(self) -> str:
        """``0.82 x (0.75-0.90 over 15 pairs)``, or ``12.00 MiB`` for a single figure."""
        value = f"{self.value:.0f}" if self.unit == "calls" else f"{self.value:.2f}"
        figure = f"{value} {self.unit}".strip()
        if self.low is None or self.high is None:
            return figure
        return f"{figure} ({self.low:.2f}-{self.high:.2f} over {self.pairs} pairs)"

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None: no target)."""
        if self.target is None:
            return None
        return BOUNDS[self.compare][1](self.value, self.target)

    def bound(self) -> str:
        """``<= 0.6`` (empty without a target)."""
        return "" if self.target is None else f"{BOUNDS[self.compare][0]} {self.target:g}"

    def cells(self) -> tuple[str, str, str, str]:
        if self.target is None:
            return self.name, self.figure(), "", self.note
        verdict = "met" if self.met else "NOT MET"
        return self.name, self.figure(), f"{self.bound()} {verdict}", self.note


def render(rows: list[Row]) -> str:
    """Rows under their section headings, columns aligned."""
    cells = [row.cells() for row in rows]
    widths = [max(len(cell[i]) for cell in cells) for i in range(3)]
    lines: list[str] = []
    section = None
    for row, (name, value, target, note) in zip(rows, cells, strict=True):
        if row.section != section:
            section = row.section
            lines.append(f"\n{section}")
        line = f"  {name:<{widths[0]}}  {value:>{widths[1]}}  {target:<{widths[2]}}  {note}"
        lines.append(line.rstrip())
    return "\n".join(lines).lstrip("\n")


def paired(section: str, name: str, ratios: list[float], unit: str = "x", **extra: Any) -> Row:
    """The row of a paired ratio: the median of ``ratios`` (one per round), their range."""
    if not ratios:
        raise ValueError(f"no pairs to make {name!r} of")
    return Row(
        section,
        name,
        statistics.median(ratios),
        unit,
        low=min(ratios),
        high=max(ratios),
        pairs=len(ratios),
        **extra,
    )


def write_results(rows: list[Row], context: dict[str, Any], path: Path = RESULTS) -> None:
    """Every row, with its verdict, and what the run was (machine, interpreter, date, load)."""
    document = {
        "context": context,
        "rows": [{**asdict(row), "met": row.met} for row in rows],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
