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
from cvpn_guard.report.model import ComplianceReport, EndpointReport
from cvpn_guard.report.notice import Notice, utf8_safe
from cvpn_guard.report.parts import split_report
from cvpn_guard.report.render import (
    VALUE_LIMIT,
    endpoint_details,
    endpoint_heading,
    error_code,
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

    With errors it names them: ``…, 1 ERROR: InvalidParameterValue`` (the code of the
    failed remediation) or ``…, 1 ERROR: authorization-rules not checked`` (a rule whose read
    AWS refused); when that does not fit, the region gives way first, then the names.
    """
    head = f"[cvpn-guard] {endpoint.status.upper()} {endpoint.endpoint_id} {endpoint.account}"
    labels = [(error_code(endpoint.error), 1)] if endpoint.error else []
    labels += [(f"{u.rule} not checked", 1) for u in endpoint.unevaluated if u.read_failed]
    count = len(labels)
    located = f"{head}/{endpoint.region}"
    return _fitted(
        [
            located + _errors_phrase(count, labels, SUBJECT_LIMIT - len(located)),
            head + _errors_phrase(count, labels, SUBJECT_LIMIT - len(head)),
            located + _errors_phrase(count, [], SUBJECT_LIMIT),
        ]
    )


def report_headline(report: ComplianceReport, *, room: int = SUBJECT_LIMIT) -> str:
    """``[cvpn-guard] REPORT 3 endpoints, 1 non-compliant, 1 remediated, 2 ERRORS: …`` in at
    most ``room`` characters.

    Errors are the report's errors and the targets not swept (a whole account left out counts):
    the first ones are named (``210987654321 not swept``, ``210987654321/us-east-1
    AccessDenied``; one account's errors of one code in several regions as one name) and the
    rest counted (``+3 more``), as far as the room allows (the bare count at least).
    """
    summary = report.summary
    base = (
        f"[cvpn-guard] REPORT {summary.endpoints} endpoints, "
        f"{summary.non_compliant + summary.remediation_failed} non-compliant, "
        f"{summary.remediated} remediated"
    )
    deferred = f", {summary.deferred} deferred" if summary.deferred else ""
    labels = _report_error_labels(report)
    count = len(report.errors) + len(report.not_swept)
    candidates = [
        head + _errors_phrase(count, labels, room - len(head))
        for head in (base + deferred, base)  # the errors matter more than the deferred count
    ]
    return _fitted(candidates, room)


def _report_error_labels(report: ComplianceReport) -> list[tuple[str, int]]:
    """(name, how many errors it stands for): targets not swept first, then one name per
    account and error code."""
    labels = [
        (f"{'/'.join(p for p in (n.account, n.region) if p)} not swept", 1)
        for n in report.not_swept
    ]
    groups: dict[tuple[str | None, str], list[str | None]] = {}
    for error in report.errors:
        groups.setdefault((error.account, error.code), []).append(error.region)
    for (account, code), regions in groups.items():
        place = (
            account if len(set(regions)) > 1 else "/".join(p for p in (account, regions[0]) if p)
        )
        labels.append((f"{place} {code}" if place else code, len(regions)))
    return labels


def _errors_phrase(count: int, labels: Sequence[tuple[str, int]], room: int) -> str:
    """``, 2 ERRORS: a, b +3 more`` naming as many labels as fit in ``room`` ("" for none)."""
    if count == 0:
        return ""
    bare = f", {count} ERROR{'S' if count != 1 else ''}"
    for named in (2, 1):
        if len(labels) < named:
            continue
        rest = count - sum(stands_for for _, stands_for in labels[:named])
        phrase = (
            bare
            + ": "
            + ", ".join(label for label, _ in labels[:named])
            + (f" +{rest} more" if rest > 0 else "")
        )
        if len(_UNSAFE_SUBJECT.sub("?", phrase)) <= room:
            return phrase
    return bare


def _fitted(candidates: Sequence[str], limit: int = SUBJECT_LIMIT) -> str:
    """The first candidate that fits in ``limit`` once made SNS-safe, else the first cut."""
    safe = [_UNSAFE_SUBJECT.sub("?", candidate) for candidate in candidates]
    return next((subject for subject in safe if len(subject) <= limit), safe[0][:limit])


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
        },
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
