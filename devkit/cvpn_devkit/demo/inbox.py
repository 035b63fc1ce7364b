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
    """A compliance report merged from the notices that carried it."""

    report: ComplianceReport
    size: int
    """Bytes of JSON received, over all parts."""
    parts: int
    schema_problem: str | None
    """None when every part is valid against the report's JSON Schema."""
    first: ReceivedNotice
    """The notice of part 1 (or of the whole report)."""


def assemble_report(notices: Sequence[ReceivedNotice]) -> ReceivedReport | None:
    """Merge the report's parts (when it was split), each checked against the schema."""
    from cvpn_guard.report import merge_parts

    carriers = [notice for notice in notices if notice.is_report]
    if not carriers:
        return None
    problems = [schema_problem(json.loads(notice.message)) for notice in carriers]
    return ReceivedReport(
        report=merge_parts(
            ComplianceReport.model_validate_json(notice.message) for notice in carriers
        ),
        size=sum(len(notice.message.encode()) for notice in carriers),
        parts=len(carriers),
        schema_problem=next((problem for problem in problems if problem), None),
        first=next((n for n in carriers if n.attributes.get("part") == "1"), carriers[0]),
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
