"""Every relative link of the project's documents leads somewhere: to a file that exists and,
for a ``#anchor`` into one of our Markdown files, to a heading it has.

Sections move between documents (the README's went to docs/); a link left pointing at the old
place renders as a link and leads nowhere, so a test follows every one.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = sorted(
    {
        REPO / "README.md",
        REPO / "RELIABILITY.md",
        REPO / "CONTRIBUTING.md",
        REPO / "benchmarks" / "README.md",
        REPO / "emulator" / "README.md",
        REPO / "policies" / "README.md",
        REPO / "events" / "README.md",
        *(REPO / "docs").glob("*.md"),
    }
)
FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); a target has no spaces (we write none with a title).
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def _prose(text: str) -> str:
    """The text outside code: a fenced block or inline code holds no links, and a `# comment`
    in a shell block is no heading."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its rendered text lowercased, every character that is not
    a letter, a digit, a space, a hyphen or an underscore dropped, spaces made hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link renders as its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor GitHub gives a document's headings (a repeated one gets -1, -2, ...)."""
    seen: Counter[str] = Counter()
    found = set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        found.add(f"{base}-{seen[base]}" if seen[base] else base)
        seen[base] += 1
    return found


def broken_links(document: Path) -> list[str]:
    """The relative links of a document that lead nowhere, each with the reason."""
    problems = []
    for target in LINK.findall(_prose(document.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path, _, anchor = target.partition("#")
        where = (document.parent / path).resolve() if path else document
        if not where.exists():
            problems.append(f"{target}: no such file")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where.read_text()):
            problems.append(f"{target}: {where.name} has no heading #{anchor}")
    return problems


@pytest.mark.parametrize(
    "heading",
    [
        ("Protecting the `cvpn-guard:managed` tag", "protecting-the-cvpn-guardmanaged-tag"),
        ("Configuration (environment variables)", "configuration-environment-variables"),
        ("Where things are, and who may touch them", "where-things-are-and-who-may-touch-them"),
        ("What `make test` runs", "what-make-test-runs"),
        ("snake_case and hyphen-ated", "snake_case-and-hyphen-ated"),
    ],
    ids=lambda pair: pair[1],
)
def test_a_heading_slugs_as_github_makes_its_anchor(heading: tuple[str, str]) -> None:
    text, expected = heading
    assert slug(text) == expected


def test_a_repeated_heading_gets_a_numbered_anchor_and_code_is_no_heading() -> None:
    # Given a document with a heading twice and a shell comment inside a fence
    text = "# Title\n\n## Usage\n\n```\n# not a heading\n```\n\n## Usage\n"

    # Then the second heading is -1 and the comment gives no anchor
    assert anchors(text) == {"title", "usage", "usage-1"}


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path: Path) -> None:
    # Given a document linking a file that exists, one that does not, and two anchors
    (tmp_path / "other.md").write_text("# Other\n\n## Roll out safely\n")
    document = tmp_path / "page.md"
    document.write_text(
        "[ok](other.md#roll-out-safely) [gone](missing.md) [old](other.md#deploy)\n"
        "[here](#page) [web](https://example.com/x#y) `[code](nowhere.md)`\n\n# Page\n"
    )

    # When its links are followed
    problems = broken_links(document)

    # Then exactly the missing file and the missing heading are reported
    assert problems == [
        "missing.md: no such file",
        "other.md#deploy: other.md has no heading #deploy",
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_of_our_documents_leads_somewhere(document: Path) -> None:
    # Given one of the project's documents, When each of its relative links is followed,
    # Then each reaches a file that exists and, with an anchor, a heading of that file
    assert document.exists(), document
    assert broken_links(document) == []
