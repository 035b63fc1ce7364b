"""How the demo reads in a terminal: headings, short explanations, aligned facts.

Plain text only (no colours, no cursor tricks), so the output reads the same in a terminal,
a CI log and a pasted issue.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TextIO

from cvpn_guard.report import ComplianceReport, EndpointReport, endpoint_details, render_table

WIDTH = 96


class Console:
    """Writes the demo's story to ``out``."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def line(self, text: str = "", indent: int = 0) -> None:
        """One line, indented."""
        self._out.write((" " * indent + text).rstrip() + "\n")
        self._out.flush()

    def para(self, text: str, indent: int = 2, hanging: int = 0) -> None:
        """A paragraph, wrapped to the demo's width (``hanging``: extra indent after line 1)."""
        lines = textwrap.wrap(
            text,
            WIDTH - indent,
            subsequent_indent=" " * hanging,
            break_on_hyphens=False,
            break_long_words=False,
        )
        for wrapped in lines:
            self.line(wrapped, indent)

    def title(self, text: str) -> None:
        """The demo's title."""
        self.line(text)
        self.line("=" * len(text))

    def section(self, number: int, title: str, intro: str) -> None:
        """A numbered step with what it shows."""
        heading = f"{number}. {title}"
        self.line()
        self.line(heading)
        self.line("-" * len(heading))
        self.para(intro)
        self.line()

    def done(self, text: str, indent: int = 2) -> None:
        """A finished setup step."""
        self.line(f"✓ {text}", indent)

    def facts(self, rows: Sequence[tuple[str, str]], indent: int = 4) -> None:
        """Label/value rows with the values aligned."""
        width = max((len(label) for label, _ in rows), default=0)
        for label, value in rows:
            self.line(f"{label:<{width}}  {value}", indent)


def show_endpoint_verdict(console: Console, endpoint: EndpointReport, indent: int = 6) -> None:
    """Failure, changes, users affected, findings and exemptions of one endpoint.

    In the notices' own words (``endpoint_details``), so the demo shows what the team reads;
    only the layout is the demo's: indented under the event and wrapped to its width.
    """
    for line in endpoint_details(endpoint):
        text = line.lstrip(" ")
        console.para(text, indent=indent + len(line) - len(text), hanging=2)


def report_table(
    console: Console, report: ComplianceReport, names: Mapping[str, str], indent: int = 4
) -> None:
    """The CLI's endpoint table, with the demo's endpoint names (``*`` = fixed)."""
    for line in render_table(report, names).splitlines():
        console.line(line, indent)
