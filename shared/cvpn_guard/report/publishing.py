"""Turn reports into SNS notices: the enforcer's notice about one endpoint, the sweeper's report.

Pure: the SNS adapter only sends what this builds. Every value that came from AWS or a user
(banner text, descriptions, tags) goes into the JSON through a serializer and into the text
through ``short_json`` quoting, so no string can break either format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.notice import Notice, utf8_safe
from cvpn_guard.report.model import ComplianceReport, EndpointReport
from cvpn_guard.report.parts import split_report
from cvpn_guard.report.render import (
    VALUE_LIMIT,
    endpoint_details,
    endpoint_heading,
    error_code,
    owner_cell,
    render_summary,
    short_json,
)

if TYPE_CHECKING:
    from cvpn_guard.ports import NotificationPort

SUBJECT_LIMIT = 99  # SNS: "must be less than 100 characters", ASCII, no line breaks
_UNSAFE_SUBJECT = re.compile(r"[^\x20-\x7e]")
_WIDEST_PART_SUFFIX = " (part 999 of 999)"  # room kept for it in a split report's subject


def needs_notice(endpoint: EndpointReport) -> bool:
    """Notify only when something is wrong or was changed, or could not be checked (a
    compliant endpoint whose rule's read AWS refused may well break it)."""
    return endpoint.status is not EndpointStatus.COMPLIANT or not endpoint.settled


def subject_for(endpoint: EndpointReport) -> str:
    """``[cvpn-guard] REMEDIATED cvpn-endpoint-… 123456789012/eu-west-1``, under 100 chars.

    With errors it names them: ``…, 1 ERROR: authorization not checked`` (a rule whose read
    AWS refused) or AWS's code of the failed remediation; when that does not fit, the region
    gives way first (it is in the attributes and the text), then the count's words, then the
    names (``…, 1 ERROR``).
    """
    head = f"[cvpn-guard] {endpoint.status.upper()} {endpoint.endpoint_id} {endpoint.account}"
    names = [error_code(endpoint.error)] if endpoint.error else []
    names += [f"{u.rule} not checked" for u in endpoint.unevaluated if u.read_failed]
    labels = [(name, name, 1) for name in names]
    located = f"{head}/{endpoint.region}"
    candidates = [
        where + _named_errors(len(labels), labels, shown, form)
        for shown, form in _SHORTER_NAMES
        for where in (located, head)
    ]
    if len(labels) == 1:  # the status (REMEDIATION_FAILED) says it failed: the code says why
        candidates.append(f"{head}: {names[0]}")
    return _fitted([*candidates, located + _error_count(len(labels))])


def report_headline(report: ComplianceReport, *, room: int = SUBJECT_LIMIT) -> str:
    """``[cvpn-guard] REPORT 3 endpoints, 1 non-compliant, 1 remediated, 2 ERRORS: …`` in at
    most ``room`` characters.

    Errors are the report's errors and the targets not swept (a whole account left out counts).
    The first one or two are named (``210987654321 not swept``, ``210987654321/us-east-1
    AccessDenied``; one account's errors of one code in several regions as one name) and the
    rest counted (``+3 more``), as far as the room allows: then one name, without its region,
    without the ``+N more``; the bare count at least, before the deferred count.
    """
    summary = report.summary
    base = (
        f"[cvpn-guard] REPORT {summary.endpoints} endpoints, "
        f"{summary.non_compliant + summary.remediation_failed} non-compliant, "
        f"{summary.remediated} remediated"
    )
    deferred = base + (f", {summary.deferred} deferred" if summary.deferred else "")
    labels = _report_error_labels(report)
    count = len(report.errors) + len(report.not_swept)
    phrases = [_named_errors(count, labels, names, form) for names, form in _SHORTER_NAMES]
    candidates = [head + phrase for phrase in phrases for head in (deferred, base)]
    return _fitted([*candidates, deferred + _error_count(count), base + _error_count(count)], room)


# (how many names, and which form: 0 with the region, 1 without, 2 also without "+N more")
_SHORTER_NAMES = ((2, 0), (1, 0), (1, 1), (1, 2))

Label = tuple[str, str, int]  # (name with the region, name without it, errors it stands for)


def _report_error_labels(report: ComplianceReport) -> list[Label]:
    """Targets not swept first, then one name per account and error code."""
    labels = [
        (
            f"{'/'.join(p for p in (n.account, n.region) if p)} not swept",
            f"{n.account} not swept",
            1,
        )
        for n in report.not_swept
    ]
    groups: dict[tuple[str | None, str], list[str | None]] = {}
    for error in report.errors:
        groups.setdefault((error.account, error.code), []).append(error.region)
    for (account, code), regions in groups.items():
        one_region = regions[0] if len(set(regions)) == 1 else None
        place = "/".join(p for p in (account, one_region) if p)
        short = f"{account} {code}" if account else code
        labels.append((f"{place} {code}" if place else code, short, len(regions)))
    return labels


def _error_count(count: int) -> str:
    """``, 2 ERRORS`` ("" for none)."""
    return f", {count} ERROR{'S' if count != 1 else ''}" if count else ""


def _named_errors(count: int, labels: Sequence[Label], names: int, form: int) -> str:
    """``, 4 ERRORS: a, b +1 more`` naming the first ``names`` labels in ``form`` (see
    ``_SHORTER_NAMES``); "" for no errors."""
    if count == 0 or not labels:
        return _error_count(count)
    shown = labels[:names]
    rest = count - sum(stands_for for _, _, stands_for in shown)
    return (
        _error_count(count)
        + ": "
        + ", ".join(short if form else long for long, short, _ in shown)
        + (f" +{rest} more" if rest > 0 and form < 2 else "")
    )


def _fitted(candidates: Sequence[str], limit: int = SUBJECT_LIMIT) -> str:
    """The first candidate that fits in ``limit`` once made SNS-safe, else the last one cut."""
    safe = [_UNSAFE_SUBJECT.sub("?", candidate) for candidate in candidates]
    return next((subject for subject in safe if len(subject) <= limit), safe[-1][:limit])


def compose_endpoint_notice(report: ComplianceReport) -> Notice:
    """The notice for a report about a single endpoint (the enforcer's case)."""
    (endpoint,) = report.endpoints
    source = report.source
    lines = [endpoint_heading(endpoint), *endpoint_details(endpoint)]
    if source.event_name:
        what = f" ({source.change})" if source.change else ""
        lines.append("")
        lines.append(
            f"Trigger: {source.event_name}{what} by {short_json(source.actor, VALUE_LIMIT)} "
            f"(CloudTrail event {source.event_id})"
        )
    lines.append(
        f"Policy: version {report.policy.version}, {report.policy.content_hash}, mode {report.policy.mode}"
    )
    return Notice(
        subject=subject_for(endpoint),
        text=utf8_safe("\n".join(lines) + "\n"),
        document=report.to_json(),
        attributes={
            "status": str(endpoint.status),
            "severity": endpoint.severity or "none",
            "account": endpoint.account,
            "region": endpoint.region,
            "endpoint_id": endpoint.endpoint_id,
            "rules": ",".join(sorted({f.rule for f in endpoint.findings})) or "none",
        }
        # Only on an endpoint code deploys, so a filter policy can send those notices to the
        # team that owns the template ({"owner": [{"exists": true}]} or a prefix).
        | ({"owner": owner_cell(endpoint.owner)} if endpoint.owner else {}),
    )


def report_notices(report: ComplianceReport) -> list[Notice]:
    """The notices that carry ``report``: one, or one per part when it is too large.

    Each part is a report of its own (``split_report``); its subject ends with
    ``(part i of n)``; subscribers get the whole report back with ``merge_parts``.
    """
    summary = report.summary
    # "compliant" also when every drift was fixed: a filter on non_compliant must not fire
    # on an estate that cvpn-guard brought back in line.
    overall = "compliant" if report.clean else "non_compliant"
    text = utf8_safe(render_summary(report))
    parts = split_report(report)
    # Every part carries the same headline, with room kept for its "(part i of n)".
    headline = report_headline(
        report,
        room=SUBJECT_LIMIT - (len(_WIDEST_PART_SUFFIX) if len(parts) > 1 else 0),
    )
    notices = []
    for part in parts:
        index, count = (part.part.index, part.part.count) if part.part else (1, 1)
        subject = f"{headline} (part {index} of {count})" if part.part else headline
        body = (
            text if index == 1 else f"Part {index} of {count} of the report summarised in part 1.\n"
        )
        notices.append(
            Notice(
                subject=subject[:SUBJECT_LIMIT],
                text=body,
                document=part.to_json(),
                attributes={
                    "kind": "report",
                    "status": overall,
                    "part": str(index),
                    "parts": str(count),
                    "rules": ",".join(sorted(summary.by_rule)) or "none",
                },
            )
        )
    return notices


def publish_report(notifier: NotificationPort | None, report: ComplianceReport) -> int:
    """Send every notice of ``report`` (nothing without a notifier); returns how many were sent.

    Raises whatever the notifier raises: a report that could not be sent is not sent.
    """
    if notifier is None:
        return 0
    notices = report_notices(report)
    for notice in notices:
        notifier.publish(notice)
    return len(notices)
