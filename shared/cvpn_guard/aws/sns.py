"""Publishing notices and reports to SNS (implements ``NotificationPort``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cvpn_guard.aws.errors import aws_call

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from cvpn_guard.report import Notice


class SnsNotifier:
    """Publishes with ``MessageStructure=json``: readable text for email subscribers, the JSON
    document for SQS, Lambda and HTTPS subscribers."""

    def __init__(self, sns: SNSClient, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, notice: Notice, *, deduplication_id: str | None = None) -> str:
        """Publish one notice and return its SNS message id."""
        # "default" reaches SQS, Lambda, HTTP(S) and email-json subscribers; only "email" gets
        # the text. Each extra protocol key would count again against SNS's 256 KB limit.
        message = json.dumps({"default": notice.document, "email": notice.text})
        extra = (
            {"MessageDeduplicationId": deduplication_id}
            if self._topic_arn.endswith(".fifo") and deduplication_id
            else {}
        )
        with aws_call("Publish"):
            response = self._sns.publish(
                TopicArn=self._topic_arn,
                Subject=notice.subject,
                Message=message,
                MessageStructure="json",
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in notice.attributes.items()
                    if value
                },
                **extra,
            )
        return str(response["MessageId"])
