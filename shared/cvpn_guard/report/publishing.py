"""Turn reports into SNS notices: the enforcer's notice about one endpoint, the sweeper's report.

Pure: the SNS adapter only sends what this builds. Every value that came from AWS or a user
(banner text, descriptions, tags) goes into the JSON through a serializer and into the text
through ``short_json`` quoting, so no string can break either format.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.report.model import ComplianceReport, EndpointReport
from cvpn_guard.report.notice import Notice, utf8_safe
from cvpn_guard.report.parts import split_report
from cvpn_guard.report.render import (
    VALUE_LIMIT,
    endpoint_details,
    endpoint_heading,
    render_summary,
    short_json,
)

if TYPE_CHECKING:
    from cvpn_guard.ports import NotificationPort

SUBJECT_LIMIT = 99  # SNS: "must be less than 100 characters", ASCII, no line breaks
_UNSAFE_SUBJECT = re.compile(r"[^\x20-\x7e]")


def needs_notice(endpoint: EndpointReport) -> bool:
    """Notify only when something is wrong or was changed, or could not be checked (a
    compliant endpoint whose rule's read AWS refused may well break it)."""
    return endpoint.status is not EndpointStatus.COMPLIANT or not endpoint.settled


def subject_for(endpoint: EndpointReport) -> str:
    """``[cvpn-guard] REMEDIATED cvpn-endpoint-… 123456789012/eu-west-1``, under 100 chars."""
    subject = f"[cvpn-guard] {endpoint.status.upper()} {endpoint.endpoint_id} {endpoint.account}/{endpoint.region}"
    return _UNSAFE_SUBJECT.sub("?", subject)[:SUBJECT_LIMIT]


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
    headline = (
        f"[cvpn-guard] REPORT {summary.endpoints} endpoints, {summary.non_compliant + summary.remediation_failed} "
        f"non-compliant, {summary.remediated} remediated"
        + (f", {summary.deferred} deferred" if summary.deferred else "")
    )
    text = utf8_safe(render_summary(report))
    notices = []
    for part in split_report(report):
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
