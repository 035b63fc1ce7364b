"""The org sweep's work queue: one SQS message per account and region."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from cvpn_guard.aws.errors import aws_call, raise_if_entries_failed

BATCH = 10  # SendMessageBatch's maximum


class SweepQueue:
    """Sends work items to the queue the sweep workers consume."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def send(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Send every item (JSON bodies), ten per request; a refused entry raises."""
        for start in range(0, len(items), BATCH):
            entries = [
                {"Id": str(index), "MessageBody": json.dumps(item, sort_keys=True)}
                for index, item in enumerate(items[start : start + BATCH])
            ]
            with aws_call("SendMessageBatch"):
                response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            raise_if_entries_failed(
                "SendMessageBatch",
                response.get("Failed") or [],
                code_key="Code",
                message_key="Message",
                what="work items",
            )
