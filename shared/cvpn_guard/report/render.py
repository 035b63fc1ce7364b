"""Every readable rendering of a report: e-mail texts, the CLI's table and CSV, the demo's.

One shortener (``short_json``), one wording of a finding and of an endpoint's verdict, one
endpoint table: notices, the CLI and the demo all call these, so they never disagree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.report.model import ComplianceReport, EndpointReport

MAX_LISTED = 50  # an e-mail lists the first endpoints that need attention; the JSON has all
VALUE_LIMIT = 160  # a value in a notice's text: enough to tell two banners apart

_ORDER = {
    EndpointStatus.REMEDIATION_FAILED: 0,
    EndpointStatus.NON_COMPLIANT: 1,
    EndpointStatus.DEFERRED: 2,
    EndpointStatus.REMEDIATED: 3,
    EndpointStatus.EXEMPT: 4,
    EndpointStatus.COMPLIANT: 5,
}


def cut_text(text: str, limit: int) -> str:
    """``text`` unchanged when it has at most ``limit`` characters, else cut to that with "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_json(value: Any, limit: int = 60) -> str:
    """``value`` as JSON (quoted and escaped, so it cannot break a line), cut to ``limit``."""
    return cut_text(json.dumps(value, ensure_ascii=False), limit)


def render_summary(report: ComplianceReport) -> str:
    """The e-mail body: counts, per-rule counts, errors and the endpoints needing attention."""
    s = report.summary
    lines = [
        f"cvpn-guard compliance report, {report.generated_at:%Y-%m-%d %H:%M} UTC",
        f"Policy version {report.policy.version} ({report.policy.content_hash[:19]}…), mode {report.policy.mode}",
        "",
        f"Endpoints: {s.endpoints}  compliant: {s.compliant}  non-compliant: {s.non_compliant}  "
        f"remediated: {s.remediated}  remediation failed: {s.remediation_failed}  "
        f"deferred: {s.deferred}  exempt: {s.exempt}  errors: {s.errors}",
    ]
    if s.by_rule:
        lines += ["", "Endpoints breaking each rule:"]
        lines += [
            f"  {rule:<32} {count}"
            for rule, count in sorted(s.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    dark = [trail for trail in report.cloudtrail if trail.logging is not True]
    if dark:
        lines += [
            "",
            "No real-time enforcement (no CloudTrail trail logging; only sweeps see drift):",
        ]
        lines += [
            f"  {_where(trail.account, trail.region)}: "
            + ("no logging trail" if trail.logging is False else f"unknown: {trail.problem}")
            for trail in dark
        ]
    if report.errors:
        lines += ["", "Could not check:"]
        lines += [
            f"  {_where(e.account, e.region, e.endpoint_id)}: {e.code}: {short_json(e.message, 120)}"
            for e in report.errors
        ]
    if report.not_swept:
        lines += ["", "Not swept:"]
        lines += [
            f"  {_where(n.account, n.region or 'every region')}: {n.reason}: "
            f"{short_json(n.message, 400)}"
            for n in report.not_swept
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


def _where(*parts: str | None) -> str:
    # "123456789012/eu-west-1 cvpn-endpoint-…", leaving out what the entry does not say.
    account, *rest = parts
    place = "/".join(p for p in (account, rest[0] if rest else None) if p) or "-"
    return " ".join([place, *(p for p in rest[1:] if p)])


def _rows(report: ComplianceReport) -> list[dict[str, str]]:
    rows = []
    for endpoint in report.endpoints:
        findings = endpoint.findings or ()
        if not findings:
            rows.append(_row(endpoint, None))
        rows += [_row(endpoint, f) for f in findings]
    return rows


def _row(endpoint: EndpointReport, finding: Finding | None) -> dict[str, str]:
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


def render_table(report: ComplianceReport, names: Mapping[str, str] | None = None) -> str:
    """A terminal table: one line per endpoint, then the summary (``*`` marks a fixed rule).

    ``names`` (endpoint id -> Name tag) adds a NAME column, as the demo shows its estate.
    """
    name_width = max([len("NAME"), *(len(name) for name in (names or {}).values())])

    def name(cell: str) -> str:
        return "" if names is None else f"{cell:<{name_width}} "

    header = f"{'ENDPOINT':<31} {name('NAME')}{'ACCOUNT/REGION':<28} {'STATUS':<18} RULES"
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
        named = name((names or {}).get(endpoint.endpoint_id, "?"))
        lines.append(
            f"{endpoint.endpoint_id:<31} {named}{endpoint.account + '/' + endpoint.region:<28} {endpoint.status:<18} {rules}"
        )
    s = report.summary
    lines += [
        "",
        f"{s.endpoints} endpoints: {s.compliant} compliant, {s.non_compliant} non-compliant, {s.remediated} remediated, "
        f"{s.remediation_failed} remediation failed, "
        + (f"{s.deferred} deferred, " if s.deferred else "")
        + f"{s.exempt} exempt, {s.errors} errors"
        + (f", {s.not_swept} not swept" if s.not_swept else "")
        + ("  (* = fixed)" if s.remediated else ""),
    ]
    lines += [
        f"error: {' '.join(p for p in (e.account, e.region, e.endpoint_id) if p)} {e.code}: "
        f"{e.message}"
        for e in report.errors
    ]
    lines += [
        f"not swept: {' '.join(p for p in (n.account, n.region) if p)} {n.reason}: {n.message}"
        for n in report.not_swept
    ]
    return "\n".join(lines) + "\n"


def endpoint_heading(endpoint: EndpointReport) -> str:
    """``Endpoint … in account …, region …: REMEDIATED``."""
    return (
        f"Endpoint {endpoint.endpoint_id} in account {endpoint.account}, region {endpoint.region}: "
        f"{endpoint.status.replace('_', ' ').upper()}"
    )


def is_deferred(finding: Finding, endpoint: EndpointReport) -> bool:
    """Whether a remediating run held this finding's disruptive fix back."""
    return finding.deferred_until is not None or (
        endpoint.status is EndpointStatus.DEFERRED
        and finding.disruptive
        and finding.remediable
        and finding.rule not in endpoint.fixed_rules
    )


def finding_text(finding: Finding, endpoint: EndpointReport) -> str:
    """``[HIGH] rule (fixed): expected …, actual …``: the one wording of a finding."""
    if finding.rule in endpoint.fixed_rules:
        state = "fixed"
    elif finding.deferred_until is not None:
        state = f"deferred until {finding.deferred_until.isoformat()}"
    elif is_deferred(finding, endpoint):
        state = "deferred"
    else:
        state = "auto-fixable" if finding.remediable else "needs a human"
    return (
        f"[{finding.severity.upper()}] {finding.rule} ({state}): "
        f"expected {short_json(finding.expected, VALUE_LIMIT)}, actual {short_json(finding.actual, VALUE_LIMIT)}"
    )


def endpoint_details(endpoint: EndpointReport) -> list[str]:
    """The verdict on one endpoint: failure, changes, users affected, findings, rules not
    evaluated, exemptions.

    Every value from AWS or a person is quoted by ``short_json``, so none can add a line.
    """
    lines = []
    if endpoint.error:
        lines.append(f"Remediation failed: {short_json(endpoint.error, VALUE_LIMIT)}")
    if endpoint.changes:
        lines.append("Changes made:")
        lines += [
            f"  - {c.field}: {short_json(c.before, VALUE_LIMIT)} -> {short_json(c.after, VALUE_LIMIT)}"
            for c in endpoint.changes
        ]
    if endpoint.users_affected is not None:
        lines.append(
            f"Users affected: {endpoint.users_affected} active connection(s) at the time of the change."
        )
    elif endpoint.users_not_counted:
        lines.append(
            f"Users affected: not counted, {short_json(endpoint.users_not_counted, VALUE_LIMIT)}"
        )
    if endpoint.findings:
        lines.append("Findings:")
        for f in endpoint.findings:
            lines.append(f"  - {finding_text(f, endpoint)}")
            if f.disruptive and f.disruption_reason:
                lines.append(f"      disruptive: {f.disruption_reason}")
            if f.held_back:
                lines.append(f"      not applied now: {short_json(f.held_back, VALUE_LIMIT)}")
            if f.fix_error:
                lines.append(f"      not fixed: {short_json(f.fix_error, VALUE_LIMIT)}")
    if endpoint.unevaluated:
        lines.append("Not evaluated (found nothing, which is not a pass):")
        lines += [
            f"  - {u.rule}: {short_json(u.reason, VALUE_LIMIT)}" for u in endpoint.unevaluated
        ]
    if endpoint.exempted:
        lines.append("Exempted:")
        lines += [
            f"  - {e.rule}: {short_json(e.reason, VALUE_LIMIT)}"
            + (f" (until {e.expires})" if e.expires else "")
            for e in endpoint.exempted
        ]
    return lines
