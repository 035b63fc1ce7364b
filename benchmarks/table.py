"""The one table ``make bench`` prints, and ``benchmarks/results.json`` with the same rows."""

from __future__ import annotations

import json
import operator
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
    one are context (memory, counts, the rates that ratios are made of)."""

    section: str
    name: str
    value: float
    unit: str
    target: float | None = None
    compare: Comparison = "at_most"
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None: no target)."""
        if self.target is None:
            return None
        return BOUNDS[self.compare][1](self.value, self.target)

    def cells(self) -> tuple[str, str, str, str]:
        value = f"{self.value:.0f}" if self.unit == "calls" else f"{self.value:.2f}"
        if self.target is None:
            return self.name, f"{value} {self.unit}".strip(), "", self.note
        bound = f"{BOUNDS[self.compare][0]} {self.target:g}"
        verdict = "met" if self.met else "NOT MET"
        return self.name, f"{value} {self.unit}".strip(), f"{bound} {verdict}", self.note


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


def write_results(rows: list[Row], context: dict[str, Any], path: Path = RESULTS) -> None:
    """Every row, with its verdict, and what the run was (machine, interpreter, date)."""
    document = {
        "context": context,
        "rows": [{**asdict(row), "met": row.met} for row in rows],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
