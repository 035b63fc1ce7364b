"""RELIABILITY.md names, for every failure mode, the test that proves what cvpn-guard does: each
test it names must exist, or the table promises a proof nobody runs."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCUMENT = REPO / "RELIABILITY.md"
# "`E` = `tests/integration/enforcer/test_enforcer_events.py`": a letter standing for a path.
LEGEND = re.compile(r"`([A-Z])` =\s+`([^`]+)`")
# A backticked test reference: `path.py::test`, `::test` (the path before it), `E::test`,
# `O/test_file.py::test`, or a bare test path.
REFERENCE = re.compile(r"`([^`\s]*?)(?:::(test_\w+))?`")


def _legend(text: str) -> dict[str, str]:
    return dict(LEGEND.findall(" ".join(text.split())))


@cache
def _tests_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def _references() -> list[tuple[int, str, str | None]]:
    """(line, path, test or None) for every test reference of the tables' test column."""
    text = DOCUMENT.read_text(encoding="utf-8")
    legend = _legend(text)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("| ") or line.startswith("| failure mode"):
            continue
        cells = line.rstrip().rstrip("|").split(" | ")
        last = None
        for prefix, test in REFERENCE.findall(cells[-1]):
            head, _, rest = prefix.partition("/")
            if head in legend:
                path = legend[head].rstrip("/") + ("/" + rest if rest else "")
            elif prefix:
                path = prefix
            else:
                path = last or ""
            if not (path.startswith("tests/") or path.startswith("make ")):
                continue
            last = path
            found.append((number, path, test or None))
    return found


REFERENCES = _references()


def test_the_document_names_tests() -> None:
    assert len(REFERENCES) > 100


@pytest.mark.parametrize(
    ("line", "path", "test"), REFERENCES, ids=[f"line{n}-{t or p}" for n, p, t in REFERENCES]
)
def test_every_test_the_document_names_exists(line: int, path: str, test: str | None) -> None:
    if path.startswith("make "):
        return
    where = REPO / path
    assert where.exists(), f"RELIABILITY.md line {line}: no {path}"
    if test is None:
        return
    files = [where] if where.is_file() else sorted(where.rglob("test_*.py"))
    assert any(test in _tests_in(file) for file in files), (
        f"RELIABILITY.md line {line}: {path} has no {test}"
    )
