"""Readable renderings of a compliance report: the email body, the CLI's table and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.report import ComplianceReport, EndpointReport

MAX_LISTED = 50  # an e-mail lists the first endpoints that need attention; the JSON has all

_ORDER = {
    EndpointStatus.REMEDIATION_FAILED: 0,
    EndpointStatus.NON_COMPLIANT: 1,
    EndpointStatus.REMEDIATED: 2,
    EndpointStatus.EXEMPT: 3,
    EndpointStatus.COMPLIANT: 4,
}


def short_json(value: Any, limit: int = 60) -> str:
    """``value`` as JSON (quoted and escaped, so it cannot break a line), cut to ``limit``."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_summary(report: ComplianceReport) -> str:
    """The e-mail body: counts, per-rule counts, errors and the endpoints needing attention."""
    s = report.summary
    lines = [
        f"cvpn-guard compliance report, {report.generated_at:%Y-%m-%d %H:%M} UTC",
        f"Policy version {report.policy.version} ({report.policy.content_hash[:19]}…), mode {report.policy.mode}",
        "",
        f"Endpoints: {s.endpoints}  compliant: {s.compliant}  non-compliant: {s.non_compliant}  "
        f"remediated: {s.remediated}  remediation failed: {s.remediation_failed}  exempt: {s.exempt}  "
        f"errors: {s.errors}",
    ]
    if s.by_rule:
        lines += ["", "Endpoints breaking each rule:"]
        lines += [
            f"  {rule:<32} {count}"
            for rule, count in sorted(s.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    if report.errors:
        lines += ["", "Could not check:"]
        lines += [
            f"  {e.region}{' ' + e.endpoint_id if e.endpoint_id else ''}: {e.code}: {short_json(e.message, 120)}"
            for e in report.errors
        ]
    attention = sorted(
        (e for e in report.endpoints if e.status is not EndpointStatus.COMPLIANT),
        key=lambda e: (_ORDER[e.status], e.account, e.region, e.endpoint_id),
    )
    if attention:
        lines += ["", "Endpoints needing attention:"]
        for endpoint in attention[:MAX_LISTED]:
            rules = ", ".join(f.rule for f in endpoint.findings) or "-"
            lines.append(
                f"  {endpoint.status:<18} {endpoint.account}/{endpoint.region} {endpoint.endpoint_id}: {rules}"
            )
        if len(attention) > MAX_LISTED:
            lines.append(f"  … and {len(attention) - MAX_LISTED} more (see the JSON report)")
    return "\n".join(lines) + "\n"


def _rows(report: ComplianceReport) -> list[dict[str, str]]:
    rows = []
    for endpoint in report.endpoints:
        findings = endpoint.findings or ()
        if not findings:
            rows.append(_row(endpoint, None))
        rows += [_row(endpoint, f) for f in findings]
    return rows


def _row(endpoint: EndpointReport, finding: Any) -> dict[str, str]:
    return {
        "account": endpoint.account,
        "region": endpoint.region,
        "endpoint_id": endpoint.endpoint_id,
        "status": str(endpoint.status),
        "rule": finding.rule if finding else "",
        "severity": finding.severity if finding else "",
        "expected": json.dumps(finding.expected, ensure_ascii=False) if finding else "",
        "actual": json.dumps(finding.actual, ensure_ascii=False) if finding else "",
        "remediable": str(finding.remediable).lower() if finding else "",
        "disruptive": str(finding.disruptive).lower() if finding else "",
        "fixed": str(finding.rule in endpoint.fixed_rules).lower() if finding else "",
    }


CSV_COLUMNS = [
    "account",
    "region",
    "endpoint_id",
    "status",
    "rule",
    "severity",
    "expected",
    "actual",
    "remediable",
    "disruptive",
    "fixed",
]


def render_csv(report: ComplianceReport) -> str:
    """One row per finding (one row for a clean endpoint), for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(report))
    return buffer.getvalue()


def render_table(report: ComplianceReport) -> str:
    """A terminal table: one line per endpoint, then the summary."""
    header = f"{'ENDPOINT':<31} {'ACCOUNT/REGION':<28} {'STATUS':<18} RULES"
    lines = [header, "-" * len(header)]
    for endpoint in sorted(
        report.endpoints, key=lambda e: (_ORDER[e.status], e.account, e.region, e.endpoint_id)
    ):
        rules = (
            ", ".join(
                f.rule + ("*" if f.rule in endpoint.fixed_rules else "") for f in endpoint.findings
            )
            or "-"
        )
        lines.append(
            f"{endpoint.endpoint_id:<31} {endpoint.account + '/' + endpoint.region:<28} {endpoint.status:<18} {rules}"
        )
    s = report.summary
    lines += [
        "",
        f"{s.endpoints} endpoints: {s.compliant} compliant, {s.non_compliant} non-compliant, {s.remediated} remediated, "
        f"{s.remediation_failed} remediation failed, {s.exempt} exempt, {s.errors} errors"
        + ("  (* = fixed)" if s.remediated else ""),
    ]
    lines += [
        f"error: {e.region} {e.endpoint_id or ''} {e.code}: {e.message}" for e in report.errors
    ]
    return "\n".join(lines) + "\n"
