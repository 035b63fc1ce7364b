"""Turn a compliance report into SNS notices: one, or numbered parts when it is too large."""

from __future__ import annotations

from cvpn_guard.notification import Notice, utf8_safe
from cvpn_guard.report import ComplianceReport
from cvpn_guard.report_parts import split_document
from cvpn_guard.report_text import render_summary


def report_notices(report: ComplianceReport) -> list[Notice]:
    """The notices that carry ``report``; subscribers join parts with ``join_parts``."""
    summary = report.summary
    # "compliant" also when every drift was fixed: a filter on non_compliant must not fire
    # on an estate that cvpn-guard brought back in line.
    overall = "compliant" if report.clean else "non_compliant"
    headline = (
        f"[cvpn-guard] REPORT {summary.endpoints} endpoints, {summary.non_compliant + summary.remediation_failed} "
        f"non-compliant, {summary.remediated} remediated"
    )
    documents = split_document(report.to_json())
    text = utf8_safe(render_summary(report))
    notices = []
    for index, document in enumerate(documents, start=1):
        many = len(documents) > 1
        subject = f"{headline} ({index}/{len(documents)})" if many else headline
        body = (
            text
            if index == 1
            else f"Part {index} of {len(documents)} of the report summarised in part 1.\n"
        )
        notices.append(
            Notice(
                subject=subject[:99],
                text=body,
                document=document,
                attributes={
                    "kind": "report",
                    "status": overall,
                    "part": str(index),
                    "parts": str(len(documents)),
                    "rules": ",".join(sorted(summary.by_rule)) or "none",
                },
            )
        )
    return notices
