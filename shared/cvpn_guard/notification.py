"""Compose the notice about one endpoint: subject, readable text, JSON document, attributes.

Pure: the SNS adapter only sends what this builds. Every value that came from AWS or a user
(banner text, descriptions, tags) goes into the JSON through a serializer and into the text
through ``json.dumps`` quoting, so no string can break either format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.report import ComplianceReport, EndpointReport
from cvpn_guard.report_text import short_json

SUBJECT_LIMIT = 99  # SNS: "must be less than 100 characters", ASCII, no line breaks
_VALUE_LIMIT = 160
_UNSAFE_SUBJECT = re.compile(r"[^\x20-\x7e]")


@dataclass(frozen=True, slots=True)
class Notice:
    """One SNS message."""

    subject: str
    text: str
    document: str
    attributes: Mapping[str, str]

    def as_record(self) -> dict[str, Any]:
        """A JSON-safe form for the outbox."""
        return {
            "subject": self.subject,
            "text": self.text,
            "document": self.document,
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Notice:
        """Rebuild a notice saved with ``as_record``."""
        return cls(
            subject=str(record["subject"]),
            text=str(record["text"]),
            document=str(record["document"]),
            attributes={str(k): str(v) for k, v in dict(record["attributes"]).items()},
        )


def utf8_safe(text: str) -> str:
    """Escape what UTF-8 cannot encode (lone surrogates), so publishing never fails on it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _short(value: Any) -> str:
    return short_json(value, _VALUE_LIMIT)


def needs_notice(status: EndpointStatus) -> bool:
    """Notify only when something is wrong or was changed."""
    return status is not EndpointStatus.COMPLIANT


def subject_for(endpoint: EndpointReport) -> str:
    """``[cvpn-guard] REMEDIATED cvpn-endpoint-… 123456789012/eu-west-1``, under 100 chars."""
    subject = f"[cvpn-guard] {endpoint.status.upper()} {endpoint.endpoint_id} {endpoint.account}/{endpoint.region}"
    return _UNSAFE_SUBJECT.sub("?", subject)[:SUBJECT_LIMIT]


def _lines_for(endpoint: EndpointReport) -> list[str]:
    lines = [
        f"Endpoint {endpoint.endpoint_id} in account {endpoint.account}, region {endpoint.region}: "
        f"{endpoint.status.replace('_', ' ').upper()}"
    ]
    if endpoint.error:
        lines.append(f"Remediation failed: {_short(endpoint.error)}")
    if endpoint.changes:
        lines.append("Changes made:")
        lines += [
            f"  - {c.field}: {_short(c.before)} -> {_short(c.after)}" for c in endpoint.changes
        ]
    if endpoint.users_affected is not None:
        lines.append(
            f"Users affected: {endpoint.users_affected} active connection(s) at the time of the change."
        )
    if endpoint.findings:
        lines.append("Findings:")
        for f in endpoint.findings:
            state = (
                "fixed"
                if f.rule in endpoint.fixed_rules
                else ("auto-fixable" if f.remediable else "needs a human")
            )
            lines.append(
                f"  - [{f.severity.upper()}] {f.rule} ({state}): expected {_short(f.expected)}, "
                f"actual {_short(f.actual)}"
            )
            if f.disruptive and f.disruption_reason:
                lines.append(f"      disruptive: {f.disruption_reason}")
    if endpoint.exempted:
        lines.append("Exempted:")
        lines += [
            f"  - {e.rule}: {_short(e.reason)}" + (f" (until {e.expires})" if e.expires else "")
            for e in endpoint.exempted
        ]
    return lines


def compose_endpoint_notice(report: ComplianceReport) -> Notice:
    """The notice for a report about a single endpoint (the enforcer's case)."""
    (endpoint,) = report.endpoints
    source = report.source
    lines = _lines_for(endpoint)
    if source.event_name:
        what = f" ({source.change})" if source.change else ""
        lines.append("")
        lines.append(
            f"Trigger: {source.event_name}{what} by {_short(source.actor)} "
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
