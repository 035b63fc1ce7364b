"""How the demo reads in a terminal: headings, short explanations, aligned facts.

Plain text only (no colours, no cursor tricks), so the output reads the same in a terminal,
a CI log and a pasted issue.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from cvpn_guard.findings import Finding
from cvpn_guard.report import ComplianceReport, EndpointReport

WIDTH = 96
VALUE_LIMIT = 64
TEXT_LIMIT = 48  # a long text inside a structure (a banner) keeps its start visible
ONE_LINE = 56  # expected and actual together up to this length share the finding's line


def short(value: Any, limit: int = VALUE_LIMIT) -> str:
    """A JSON value on one line; long texts are cut with an ellipsis.

    Inside a mapping or list each text is cut on its own, so two banners that differ only
    after their first words still show where they differ.
    """
    if isinstance(value, dict):
        items = ", ".join(
            f"{json.dumps(key)}: {short(item, TEXT_LIMIT)}" for key, item in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(short(item, TEXT_LIMIT) for item in value) + "]"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


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


def finding_lines(finding: Finding, endpoint: EndpointReport) -> list[str]:
    """``✗ rule [severity] (fixed): expected …, actual …``; long values get a line each."""
    if finding.rule in endpoint.fixed_rules:
        state = "fixed"
    elif finding.remediable:
        state = "not fixed: report mode"
    else:
        state = "report only: needs a human"
    expected, actual = short(finding.expected), short(finding.actual)
    head = f"✗ {finding.rule} [{finding.severity}] ({state})"
    if len(expected) + len(actual) <= ONE_LINE:
        return [f"{head}: expected {expected}, actual {actual}"]
    return [head, f"    expected {expected}", f"    actual   {actual}"]


def show_endpoint_verdict(console: Console, endpoint: EndpointReport, indent: int = 6) -> None:
    """Findings, exemptions, changes (before → after) and users affected of one endpoint."""
    if endpoint.findings:
        console.line("findings:", indent)
        for finding in endpoint.findings:
            for line in finding_lines(finding, endpoint):
                console.line(line, indent + 2)
    if endpoint.exempted:
        console.line("exempted by the policy:", indent)
        for exempted in endpoint.exempted:
            until = f" until {exempted.expires}" if exempted.expires else ""
            console.line(f"- {exempted.rule}: {exempted.reason}{until}", indent + 2)
    if endpoint.changes:
        console.line(
            "changes made (one ModifyClientVpnEndpoint call, verified by describing again):",
            indent,
        )
        for change in endpoint.changes:
            console.line(
                f"{change.field}: {short(change.before)} → {short(change.after)}", indent + 2
            )
    if endpoint.users_affected is not None:
        reasons = sorted(
            {f.disruption_reason for f in endpoint.findings if f.disruptive and f.disruption_reason}
        )
        console.line(
            f"users affected: {endpoint.users_affected} active connection(s) when the fix "
            "was applied",
            indent,
        )
        for reason in reasons:
            console.line(f"- {reason}", indent + 2)
    if endpoint.error:
        console.line(f"remediation failed: {endpoint.error}", indent)


def report_table(
    console: Console, report: ComplianceReport, names: Mapping[str, str], indent: int = 4
) -> None:
    """One row per endpoint: status, id, name, region, rules (``*`` = fixed)."""
    rows = [("STATUS", "ENDPOINT", "NAME", "REGION", "RULES")]
    for endpoint in report.endpoints:
        rules = ", ".join(
            f.rule + ("*" if f.rule in endpoint.fixed_rules else "") for f in endpoint.findings
        )
        if endpoint.exempted and not rules:
            rules = "(exempt: " + ", ".join(e.rule for e in endpoint.exempted) + ")"
        rows.append(
            (
                str(endpoint.status),
                endpoint.endpoint_id,
                names.get(endpoint.endpoint_id, "?"),
                endpoint.region,
                rules or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:4])]
        console.line("  ".join([*cells, row[4]]), indent)
    for error in report.errors:
        console.line(f"could not check {error.region}: {error.code}: {error.message}", indent)
