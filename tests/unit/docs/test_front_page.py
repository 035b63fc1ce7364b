"""README.md is a front page: the two commands first, what cvpn-guard is, a map, and links.

Everything else lives in docs/ (and the Performance table in benchmarks/README.md); the front
page stays small enough to be read on arrival.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"
PACKAGE = REPO / "shared" / "cvpn_guard"
# The bound: a front page, not a wall (the README was 75 KB before the split).
MAX_BYTES = 8_000


def _text() -> str:
    return README.read_text(encoding="utf-8")


def test_the_front_page_stays_under_eight_kilobytes() -> None:
    # Given the README as `wc -c` counts it
    size = len(README.read_bytes())

    # Then it is a front page, not a wall
    assert size <= MAX_BYTES, f"README.md is {size} bytes; move sections to docs/ (≤ {MAX_BYTES})"


def test_the_two_commands_come_first_one_line_each() -> None:
    # Given the README's title and what follows it
    title, _, rest = _text().partition("\n\n")
    assert title == "# cvpn-guard"

    # When its first block is read
    block = re.match(r"```\n(.*?)\n```\n", rest, re.S)

    # Then, before anything else, it is `make demo` then `make test`, each with its one line
    assert block, "the README must open with the two commands in a code block"
    lines = block.group(1).splitlines()
    assert [line.split("#")[0].strip() for line in lines] == ["make demo", "make test"]
    assert all("# " in line for line in lines), "each command says what it does"


def test_the_map_names_every_top_level_module_of_the_package() -> None:
    # Given the modules and packages directly under shared/cvpn_guard
    modules = sorted(
        f"{path.name}/" if path.is_dir() else path.name
        for path in PACKAGE.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.name != "__init__.py")
    )

    # Then "Where things are" names each one, so that a newcomer finds every part
    where = _text().split("\n## Where things are\n", 1)[1].split("\n## ", 1)[0]
    unnamed = [name for name in modules if f"`{name}`" not in where]
    assert not unnamed, f"README.md's 'Where things are' does not name {unnamed}"


def test_the_front_page_links_every_document() -> None:
    # Given every document in docs/ and the documents beside the code
    documents = [
        *(f"docs/{path.name}" for path in sorted((REPO / "docs").glob("*.md"))),
        "benchmarks/README.md",
        "RELIABILITY.md",
        "CONTRIBUTING.md",
        "emulator/README.md",
        "policies/README.md",
    ]

    # Then the front page links to each of them
    text = _text()
    unlinked = [document for document in documents if f"]({document}" not in text]
    assert not unlinked, f"README.md links none of {unlinked}"


def test_the_front_page_holds_no_generated_table_and_no_timings() -> None:
    # Given the front page
    text = _text()

    # Then the Performance table is generated into benchmarks/README.md, not here, and the
    # measured durations of set-up and the gates live in docs/development.md
    assert "benchmarks:begin" not in text
    assert not re.search(r"\b\d+(\.\d+)? s\b", text), "timings belong in docs/development.md"
