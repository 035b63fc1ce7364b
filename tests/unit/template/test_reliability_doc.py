"""RELIABILITY.md names, for every failure mode, the test that proves what cvpn-guard does: each
test it names must exist, or the table promises a proof nobody runs.

The test files are read with ``ast``, not collected by pytest: a name is checked against the
functions the cited file defines, without importing (or running) anything.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCUMENT = REPO / "RELIABILITY.md"
# "`E` = `tests/integration/enforcer/test_enforcer_events.py`", "`MW` = `tests/...`": a short
# key standing for a test file or folder. Keys of two letters exist (MW, DF): the pattern must
# not stop at one, or their citations go unchecked.
LEGEND = re.compile(r"`([A-Z]+)` =\s+`([^`]+)`")
# A backticked test citation: `path.py::test`, `::test` (the file cited before it on the same
# line), `E::test`, `O/test_file.py::test`. The part before `::` has no colon, so an ARN such
# as `arn:aws:iam::…` is not taken for one.
CITATION = re.compile(r"`([\w./-]*)::(\w+)`")
# A backticked test file or folder cited without a test name.
TEST_PATH = re.compile(r"`(tests/[\w./-]*)`")


def _legend(text: str) -> dict[str, str]:
    return dict(LEGEND.findall(" ".join(text.split())))


@cache
def _functions_in(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )


def _resolve(prefix: str, legend: dict[str, str], last: str | None) -> str | None:
    """The test file or folder a citation's prefix stands for; None when nothing says."""
    if not prefix:
        return last
    head, _, rest = prefix.partition("/")
    if head in legend:
        return legend[head].rstrip("/") + ("/" + rest if rest else "")
    return prefix


def citations(text: str) -> list[tuple[int, str, str | None]]:
    """(line, cited path, test name or None) for every test the document cites.

    A bare ``::test`` belongs to the file cited last on its line; with none before it, the test
    may be anywhere under ``tests/`` (path ``tests``).
    """
    legend = _legend(text)
    found: list[tuple[int, str, str | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        last: str | None = None
        spans = [(m.start(), m.group(1), m.group(2)) for m in CITATION.finditer(line)]
        spans += [(m.start(), m.group(1), None) for m in TEST_PATH.finditer(line)]
        for _, prefix, test in sorted(spans):
            path = _resolve(prefix, legend, last) or "tests"
            if path != "tests":
                last = path
            found.append((number, path, test))
    return found


def missing(path: str, test: str | None) -> str | None:
    """What is wrong with one citation, or None when the cited test exists."""
    where = REPO / path
    if not path.startswith("tests") or not where.exists():
        return f"no {path} (a path under tests/ or a key of the legend)"
    if test is None:
        return None
    files = [where] if where.is_file() else sorted(where.rglob("test_*.py"))
    if not any(test in _functions_in(file) for file in files):
        return f"{path} has no {test}"
    return None


CITATIONS = citations(DOCUMENT.read_text(encoding="utf-8"))


def test_the_document_names_tests() -> None:
    assert len(CITATIONS) > 100


def test_every_legend_key_the_document_uses_is_in_its_legend() -> None:
    # Given every key a citation is written with (`E::`, `MW::`, `O/test_x.py::`)
    text = DOCUMENT.read_text(encoding="utf-8")
    used = {prefix.partition("/")[0] for prefix, _ in CITATION.findall(text)} - {""}
    keys = {key for key in used if not key.startswith("tests")}

    # Then the legend defines each of them: an undefined key would cite nothing checkable
    assert keys, "the document cites tests through legend keys"
    assert keys <= set(_legend(text)), sorted(keys - set(_legend(text)))


def test_a_two_letter_key_and_a_bare_name_resolve_to_their_files() -> None:
    # Given a legend with a two-letter key, and a line citing through it, then a bare name
    text = (
        "Legend: `MW` = `tests/integration/sweeper/test_maintenance_windows.py`.\n"
        "| a | b | `MW::test_one`, `::test_two`, `tests/unit/x.py::test_three`, `::test_four` |\n"
        "| `::test_anywhere` |\n"
    )

    # When its citations are read
    found = citations(text)

    # Then each one names the file it belongs to; a bare name alone on its line, any test file
    maintenance = "tests/integration/sweeper/test_maintenance_windows.py"
    assert [(path, test) for _, path, test in found if test] == [
        (maintenance, "test_one"),
        (maintenance, "test_two"),
        ("tests/unit/x.py", "test_three"),
        ("tests/unit/x.py", "test_four"),
        ("tests", "test_anywhere"),
    ]


def test_a_citation_of_a_test_that_does_not_exist_is_found() -> None:
    # Given this very file, which defines no test of that name
    here = str(Path(__file__).relative_to(REPO))

    # Then a citation of it is reported, and one of a real test of the file is not
    assert missing(here, "test_that_nobody_wrote") == f"{here} has no test_that_nobody_wrote"
    assert missing(here, "test_the_document_names_tests") is None
    assert missing("X/test_file.py", "test_one") is not None


@pytest.mark.parametrize(
    ("line", "path", "test"), CITATIONS, ids=[f"line{n}-{t or p}" for n, p, t in CITATIONS]
)
def test_every_test_the_document_names_exists(line: int, path: str, test: str | None) -> None:
    problem = missing(path, test)
    assert problem is None, f"RELIABILITY.md line {line}: {problem}"
