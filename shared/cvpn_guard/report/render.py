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
from cvpn_guard.report.model import ComplianceReport, EndpointReport, NotSwept, ReportError
from cvpn_guard.report.owner import EndpointOwner

MAX_LISTED = 50  # an e-mail lists the first endpoints that need attention; the JSON has all
VALUE_LIMIT = 160  # a value in a notice's text: enough to tell two banners apart
NAME_WIDTH = 24  # a Name tag holds up to 256 characters: the table shows the first ones
DETAIL_INDENT = "    "  # the table's lines under an endpoint

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
    """``value`` as JSON (quoted and escaped, so it cannot break a line), cut to ``limit``.

    JSON escapes only control characters below U+0020; the others a terminal or mail reader
    may act on (DEL, C1 controls such as CSI, U+2028 line separators, lone surrogates) are
    escaped too, which is still the same JSON value.
    """
    return cut_text(printable(json.dumps(value, ensure_ascii=False)), limit)


def printable(text: str) -> str:
    """``text`` with every unprintable character as its JSON escape (``\\n``, ``\\u001b``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else json.dumps(ch)[1:-1] for ch in text)


def name_cell(name: str | None, width: int = NAME_WIDTH) -> str:
    """An endpoint's Name tag as one table cell: escaped like ``printable``, cut to ``width``
    ("-" when it has none)."""
    return cut_text(printable(name), width) if name else "-"


def render_summary(report: ComplianceReport) -> str:
    """The e-mail body: counts, per-rule counts, errors and the endpoints needing attention."""
    s = report.summary
    lines = [
        f"cvpn-guard compliance report, {report.generated_at:%Y-%m-%d %H:%M} UTC",
        f"Policy version {report.policy.version} ({report.policy.content_hash[:19]}…), mode {report.policy.mode}",
        "",
        f"Endpoints: {s.endpoints}  compliant: {s.compliant}  non-compliant: {s.non_compliant}  "
        f"remediated: {s.remediated}  remediation failed: {s.remediation_failed}  "
        f"deferred: {s.deferred}  exempt: {s.exempt}  errors: {s.errors}"
        + (f"  not swept: {s.not_swept}" if s.not_swept else ""),
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
        lines += ["", "Could not check:", *could_not_check(report)]
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
                f"  {endpoint.status:<18} {endpoint.account}/{endpoint.region} {endpoint.endpoint_id}"
                f"{_named(endpoint.name)}: {rules}"
                + (f" [{owner_label(endpoint.owner)}]" if endpoint.owner else "")
            )
        if len(attention) > MAX_LISTED:
            lines.append(f"  … and {len(attention) - MAX_LISTED} more (see the JSON report)")
    return "\n".join(lines) + "\n"


def _named(name: str | None) -> str:
    # ' ("vpn-prod")' after an endpoint id: quoted, as every value a person wrote.
    return f" ({short_json(name, 40)})" if name else ""


def could_not_check(report: ComplianceReport) -> list[str]:
    """One indented line per error: where (account/region, endpoint and its name), what."""
    return [
        f"  {_where(e.account, e.region, e.endpoint_id)}{_named(e.name)}: {error_text(e)}"
        for e in report.errors
    ]


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
        rows += [
            _place_row(endpoint.account, endpoint.region, endpoint.endpoint_id, endpoint.name)
            | {
                "status": str(endpoint.status),
                "rule": u.rule,
                "error": "read_failed",
                "reason": _text_cell(u.reason),
            }
            for u in endpoint.unevaluated
            if u.read_failed
        ]
    rows += [
        _place_row(e.account, e.region, e.endpoint_id, e.name)
        | {"status": "error", "error": _text_cell(e.code), "reason": _text_cell(_call_says(e))}
        for e in report.errors
    ]
    rows += [
        _place_row(n.account, n.region, None, None)
        | {
            "status": "not_swept",
            "error": "not_swept",
            "reason": _text_cell(f"{n.reason}: {n.message}"),
        }
        for n in report.not_swept
    ]
    return rows


def _place_row(
    account: str | None, region: str | None, endpoint_id: str | None, name: str | None
) -> dict[str, str]:
    return dict.fromkeys(CSV_COLUMNS, "") | {
        "account": account or "",
        "region": region or "",
        "endpoint_id": endpoint_id or "",
        "name": _text_cell(name or ""),
    }


def _call_says(error: ReportError) -> str:
    return f"{error.failed_call}: {error.message}" if error.failed_call else error.message


def _row(endpoint: EndpointReport, finding: Finding | None) -> dict[str, str]:
    failure = endpoint.error or ""
    reason = (finding.fix_error or finding.held_back if finding else None) or (
        f"{endpoint.failed_call}: {failure}" if failure and endpoint.failed_call else failure
    )
    return {
        "account": endpoint.account,
        "region": endpoint.region,
        "endpoint_id": endpoint.endpoint_id,
        "name": _text_cell(endpoint.name or ""),
        "status": str(endpoint.status),
        "rule": finding.rule if finding else "",
        "severity": finding.severity if finding else "",
        "expected": json.dumps(finding.expected, ensure_ascii=False) if finding else "",
        "actual": json.dumps(finding.actual, ensure_ascii=False) if finding else "",
        "remediable": str(finding.remediable).lower() if finding else "",
        "disruptive": str(finding.disruptive).lower() if finding else "",
        "fixed": str(finding.rule in endpoint.fixed_rules).lower() if finding else "",
        "error": _text_cell(error_code(failure)) if failure else "",
        "reason": _text_cell(reason),
        "controls": " ".join(finding.controls) if finding else "",
        "owner": _text_cell(owner_cell(endpoint.owner)),
    }


def owner_cell(owner: EndpointOwner | None) -> str:
    """The CSV's ``owner``: ``cloudformation:STACK/LOGICAL_ID`` or ``tag:KEY=VALUE``."""
    if owner is None:
        return ""
    if owner.kind == "cloudformation":
        return f"cloudformation:{owner.stack}" + (
            f"/{owner.logical_id}" if owner.logical_id else ""
        )
    return f"tag:{owner.tag}" + (f"={owner.value}" if owner.value else "")


def error_code(error: str) -> str:
    """AWS's error code at the head of an endpoint's ``error`` (``"Code: message"``)."""
    head = error.split(":", 1)[0].strip()
    return head if head and " " not in head else "RemediationFailed"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(text: str) -> str:
    # A spreadsheet runs a cell that starts like a formula (OWASP "CSV injection"): a Name tag
    # or an AWS message is data, so such a cell gets a leading apostrophe.
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = [
    "account",
    "region",
    "endpoint_id",
    "name",
    "status",
    "rule",
    "severity",
    "expected",
    "actual",
    "remediable",
    "disruptive",
    "fixed",
    "error",
    "reason",
    "controls",
    "owner",
]
"""The CSV's header. ``name``: the endpoint's Name tag. ``error``: what failed, as a code
(AWS's error code of a failed remediation, on every row of that endpoint, or of a failed
check; ``read_failed`` for a rule whose read AWS refused; ``not_swept``). ``reason``: the
explanation (the finding's fix that AWS refused or that was held back, else the failed call
and AWS's message). ``controls``: the finding's compliance controls, as tags separated by
spaces (``nist-800-53/AC-12 nist-800-53/SC-10``). ``owner``: what deploys the endpoint
(``cloudformation:STACK/LOGICAL_ID``, ``tag:KEY=VALUE``; fix it there too). Besides one row per finding (one for a clean endpoint): one row per rule
left unchecked by a failed read, per endpoint, region or account that could not be checked
(status ``error``) and per target an organization sweep did not cover (``not_swept``)."""


def render_csv(report: ComplianceReport) -> str:
    """One row per finding (one row for a clean endpoint), then the rows of what could not be
    checked (see ``CSV_COLUMNS``), for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(report))
    return buffer.getvalue()


def render_table(report: ComplianceReport, names: Mapping[str, str] | None = None) -> str:
    """A terminal table, then the summary and the errors of regions and accounts.

    One line per endpoint (``*`` marks a fixed rule), and under each one that was remediated,
    failed remediation, waits for a window or could not be fully checked, indented, what to
    act on (``action_details``); one line per endpoint that could not be checked at all
    (status ``error``) with AWS's reason under it. NAME is the endpoint's Name tag; ``names``
    (endpoint id -> name) overrides it (the demo names its estate).
    """
    rows: list[tuple[tuple[float, str, str, str], list[str], list[str]]] = []
    for endpoint in report.endpoints:
        rules = (
            ", ".join(
                f.rule + ("*" if f.rule in endpoint.fixed_rules else "") for f in endpoint.findings
            )
            or "-"
        )
        name = (names or {}).get(endpoint.endpoint_id, endpoint.name)
        cells = [endpoint.endpoint_id, name_cell(name), _place(endpoint), endpoint.status, rules]
        key: tuple[float, str, str, str] = (
            _ORDER[endpoint.status],
            endpoint.account,
            endpoint.region,
            endpoint.endpoint_id,
        )
        rows.append((key, cells, action_details(endpoint)))
    for error in report.errors:
        if error.endpoint_id is None:
            continue
        name = (names or {}).get(error.endpoint_id, error.name)
        cells = [
            error.endpoint_id,
            name_cell(name),
            _where(error.account, error.region),
            "error",
            "-",
        ]
        # Right after the failed remediations: both need a person before anything else.
        key = (0.5, error.account or "", error.region or "", error.endpoint_id)
        rows.append((key, cells, [f"Could not check: {error_text(error)}"]))
    rows.sort(key=lambda row: row[0])
    name_width = max([len("NAME"), *(len(cells[1]) for _, cells, _ in rows)])
    header = f"{'ENDPOINT':<31} {'NAME':<{name_width}} {'ACCOUNT/REGION':<28} {'STATUS':<18} RULES"
    lines = [header, "-" * len(header)]
    for _, (endpoint_id, name, place, status, rules), details in rows:
        lines.append(
            f"{endpoint_id:<31} {name:<{name_width}} {place:<28} {status:<18} {rules}".rstrip()
        )
        lines += [DETAIL_INDENT + detail for detail in details]
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
        f"error: {_where(e.account, e.region)} {error_text(e)}"
        for e in report.errors
        if e.endpoint_id is None
    ]
    lines += [
        f"not swept: {_where(n.account, n.region or 'every region')} {not_swept_text(n)}"
        for n in report.not_swept
    ]
    return "\n".join(lines) + "\n"


def _place(endpoint: EndpointReport) -> str:
    return f"{endpoint.account}/{endpoint.region}"


def endpoint_heading(endpoint: EndpointReport) -> str:
    """``Endpoint … ("name") in account …, region …: REMEDIATED``."""
    return (
        f"Endpoint {endpoint.endpoint_id}{_named(endpoint.name)} in account {endpoint.account}, region {endpoint.region}: "
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


def owner_label(owner: EndpointOwner) -> str:
    """``CloudFormation stack "vpn" (resource "DriftedVpn")`` or ``tag ManagedBy="terraform"``:
    the owner, its values quoted by ``short_json``."""
    if owner.kind == "cloudformation":
        resource = f" (resource {short_json(owner.logical_id, 80)})" if owner.logical_id else ""
        return f"CloudFormation stack {short_json(owner.stack, 140)}{resource}"
    value = f"={short_json(owner.value, 80)}" if owner.value else ""
    return f"tag {short_json(owner.tag, 80)}{value}"


def owner_text(endpoint: EndpointReport) -> str | None:
    """Who deploys the endpoint and, when something is or was wrong with it, that the code
    must be fixed too (else the next deployment puts the drift back). None without owner."""
    owner = endpoint.owner
    if owner is None:
        return None
    text = f"Deployed by {owner_label(owner)}"
    if not (endpoint.findings or endpoint.changes):
        return text + "."
    code, deployment = (
        ("its template", "stack update")
        if owner.kind == "cloudformation"
        else ("the code that deploys it", "deployment")
    )
    return f"{text}: fix {code} too, or the next {deployment} reverts the fix."


def endpoint_details(endpoint: EndpointReport) -> list[str]:
    """The verdict on one endpoint: failure, changes, users affected, findings, rules not
    evaluated, exemptions.

    Every value from AWS or a person is quoted by ``short_json``, so none can add a line.
    """
    owner = owner_text(endpoint)
    lines = ([owner] if owner else []) + _outcome_lines(endpoint)
    if endpoint.findings:
        lines.append("Findings:")
        for f in endpoint.findings:
            lines.append(f"  - {finding_text(f, endpoint)}")
            if f.controls:
                lines.append(f"      controls: {', '.join(f.controls)}")
            if f.disruptive and f.disruption_reason:
                lines.append(f"      disruptive: {f.disruption_reason}")
            if f.held_back:
                lines.append(f"      not applied now: {short_json(f.held_back, VALUE_LIMIT)}")
            if f.fix_error:
                lines.append(f"      not fixed: {short_json(f.fix_error, VALUE_LIMIT)}")
    lines += _unevaluated_lines(endpoint, only_failed_reads=False)
    if endpoint.exempted:
        lines.append("Exempted:")
        lines += [
            f"  - {e.rule}: {short_json(e.reason, VALUE_LIMIT)}"
            + (f" (until {e.expires})" if e.expires else "")
            for e in endpoint.exempted
        ]
    return lines


def _outcome_lines(endpoint: EndpointReport) -> list[str]:
    # What remediation did: why it failed (and at which call), the changes, users affected.
    lines = []
    if endpoint.error:
        call = f" ({endpoint.failed_call})" if endpoint.failed_call else ""
        lines.append(f"Remediation failed{call}: {short_json(endpoint.error, VALUE_LIMIT)}")
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
    return lines


def _unevaluated_lines(endpoint: EndpointReport, *, only_failed_reads: bool) -> list[str]:
    rules = [u for u in endpoint.unevaluated if u.read_failed or not only_failed_reads]
    if not rules:
        return []
    return [
        "Not evaluated (found nothing, which is not a pass):",
        *(f"  - {u.rule}: {short_json(u.reason, VALUE_LIMIT)}" for u in rules),
    ]


def action_details(endpoint: EndpointReport) -> list[str]:
    """What a person acts on, under the endpoint's line in the table: why remediation failed
    and the call that failed, each change before -> after, users affected, why a finding was
    not fixed or not applied now, the rules whose read AWS refused. Empty for an endpoint
    that was only judged (its findings are in the RULES column).

    The wording is ``endpoint_details``'s, values quoted by ``short_json``. An endpoint
    deployed by code that has findings or changes says so first: the fix belongs there too.
    """
    owner = owner_text(endpoint) if endpoint.findings or endpoint.changes else None
    lines = ([owner] if owner else []) + _outcome_lines(endpoint)
    not_fixed = [f for f in endpoint.findings if f.fix_error]
    if not_fixed:
        lines.append("Not fixed:")
        lines += [f"  - {f.rule}: {short_json(f.fix_error, VALUE_LIMIT)}" for f in not_fixed]
    held = [f for f in endpoint.findings if f.held_back]
    if held:
        lines.append("Not applied now:")
        lines += [f"  - {f.rule}: {short_json(f.held_back, VALUE_LIMIT)}" for f in held]
    return lines + _unevaluated_lines(endpoint, only_failed_reads=True)


def error_text(error: ReportError) -> str:
    """``AccessDenied (AssumeRole): "…"``: what failed, the call and AWS's message, quoted."""
    call = f" ({printable(error.failed_call)})" if error.failed_call else ""
    return f"{printable(error.code)}{call}: {short_json(error.message, 400)}"


def not_swept_text(left_out: NotSwept) -> str:
    """``deadline_passed: "…"``: why a target was not swept, the message quoted."""
    return f"{left_out.reason}: {short_json(left_out.message, 400)}"
