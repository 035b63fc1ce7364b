"""``cvpn-guard check --format table``: per file and endpoint, each finding, each rule that could
not be decided and each note, with its line; then the counts."""

from __future__ import annotations

from cvpn_guard.iac.checking import CheckResult, Verdict
from cvpn_guard.report.render import printable

INDENT = "    "


def summary_line(result: CheckResult) -> str:
    """One line of counts (the table's last line, and stderr's when the table is not shown)."""
    verdicts = result.verdicts
    files = len(result.files)
    failing = sum(1 for v in verdicts if not v.clean)
    findings = sum(len(v.findings) for v in verdicts)
    undecided = sum(1 for v in verdicts for u in v.unevaluated if u.unresolved)
    return (
        f"{len(verdicts)} endpoint{'s' if len(verdicts) != 1 else ''} in {files} "
        f"file{'s' if files != 1 else ''}: {len(verdicts) - failing} clean, {failing} not; "
        f"{findings} finding{'s' if findings != 1 else ''}, {undecided} rule"
        f"{'s' if undecided != 1 else ''} not evaluated for an unresolved value"
    )


def render_table(result: CheckResult) -> str:
    """The table: files in the order read, endpoints in file order."""
    lines: list[str] = []
    by_file: dict[str, list[Verdict]] = {}
    for verdict in result.verdicts:
        by_file.setdefault(verdict.endpoint.file, []).append(verdict)
    for file, verdicts in by_file.items():
        lines.append(printable(file))
        for verdict in verdicts:
            lines += _endpoint_lines(verdict)
        lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _endpoint_lines(verdict: Verdict) -> list[str]:
    endpoint = verdict.endpoint
    where = f":{endpoint.line}" if endpoint.line is not None else ""
    state = "clean" if verdict.clean else "NOT CLEAN"
    lines = [f"  {printable(endpoint.name)} ({endpoint.kind}{where}): {state}"]
    for finding in verdict.findings:
        lines.append(
            f"{INDENT}{finding.rule:<32} {finding.severity:<8} {_line(finding.line)}  "
            f"{printable(finding.message)}"
        )
    for item in verdict.unevaluated:
        label = "not evaluated" if item.unresolved else "not evaluated (live only)"
        lines.append(
            f"{INDENT}{item.rule:<32} {'-':<8} {_line(item.line)}  {label}: {printable(item.reason)}"
        )
    for note in verdict.notes:
        lines.append(
            f"{INDENT}{note.rule:<32} {'note':<8} {_line(note.line)}  {printable(note.message)}"
        )
    for spared in verdict.exempted:
        lines.append(
            f"{INDENT}{spared.finding.rule:<32} {'exempt':<8} {_line(None)}  "
            f"{printable(spared.exemption_reason)}"
        )
    return lines


def _line(line: int | None) -> str:
    return f"line {line:<5}" if line is not None else f"{'-':<10}"
