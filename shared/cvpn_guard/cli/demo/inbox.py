"""Read what an SQS subscriber of the SNS topic received, as a subscriber would."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cvpn_guard.report import ComplianceReport


@dataclass(frozen=True)
class ReceivedNotice:
    """One SNS envelope taken off the queue."""

    subject: str
    attributes: Mapping[str, str]
    message: str

    @classmethod
    def from_body(cls, body: str) -> ReceivedNotice:
        """Parse an SQS message body holding an SNS notification (not raw delivery)."""
        envelope: dict[str, Any] = json.loads(body)
        attributes = {
            str(name): str(value.get("Value", ""))
            for name, value in (envelope.get("MessageAttributes") or {}).items()
        }
        return cls(
            subject=str(envelope.get("Subject") or ""),
            attributes=attributes,
            message=str(envelope.get("Message") or ""),
        )

    @property
    def is_report(self) -> bool:
        """True for (a part of) a sweep's compliance report."""
        return self.attributes.get("kind") == "report"


def drain(sqs: Any, queue_url: str) -> list[ReceivedNotice]:
    """Take every message waiting on the queue (and delete it, as a subscriber does)."""
    notices: list[ReceivedNotice] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return notices
        for message in messages:
            notices.append(ReceivedNotice.from_body(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@dataclass(frozen=True)
class ReceivedReport:
    """A compliance report put back together from the notices that carried it."""

    report: ComplianceReport
    document: str
    parts: int
    schema_problem: str | None
    """None when the document is valid against the report's JSON Schema."""
    first: ReceivedNotice


def assemble_report(notices: Sequence[ReceivedNotice]) -> ReceivedReport | None:
    """Join the report's parts (when it was split), check it against the schema, parse it."""
    from cvpn_guard.report import is_part, join_parts

    carriers = [notice for notice in notices if notice.is_report]
    if not carriers:
        return None
    first = json.loads(carriers[0].message)
    if is_part(first):
        document = join_parts(json.loads(notice.message) for notice in carriers)
    else:
        document = carriers[0].message
    return ReceivedReport(
        report=ComplianceReport.model_validate_json(document),
        document=document,
        parts=len(carriers),
        schema_problem=schema_problem(json.loads(document)),
        first=carriers[0],
    )


def schema_problem(document: Any) -> str | None:
    """Validate against the report's JSON Schema; the problem found, or None when valid."""
    from cvpn_guard.report import json_schema

    try:
        import jsonschema
    except ImportError:
        return "jsonschema is not installed (pip install jsonschema), not validated"
    validator = jsonschema.Draft202012Validator(json.loads(json_schema()))
    error = next(iter(validator.iter_errors(document)), None)
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"
