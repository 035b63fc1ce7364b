"""Publishing notices and reports to SNS (implements ``NotificationPort``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.report.chat import chat_json

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from cvpn_guard.report import Notice


def sns_message(notice: Notice) -> str:
    """The ``Message`` of ``notice`` for ``MessageStructure=json``: one text per protocol.

    Publish's documentation (botocore's SNS model): with ``MessageStructure=json`` the message
    is a JSON object with at least a ``default`` string; other top-level keys name the text for
    one protocol ("e.g. http"), and "including multiple protocols may limit message sizes"
    because every value counts against the one message limit. So: ``email`` gets the readable
    text, ``https`` (AWS Chatbot's subscription, and so every other HTTPS webhook) the chat
    form, and ``default`` (SQS, Lambda, HTTP and email-json) the JSON report. The chat form is
    at most a few KB (``cvpn_guard.report.chat``): ``parts.DEFAULT_MAX_PART_BYTES`` leaves
    room for it beside a part and the e-mail text.
    """
    return json.dumps(
        {"default": notice.document, "email": notice.text, "https": chat_json(notice)}
    )


class SnsNotifier:
    """Publishes with ``MessageStructure=json``: readable text for email subscribers, the chat
    form for HTTPS subscribers (AWS Chatbot), the JSON document for SQS and Lambda."""

    def __init__(self, sns: SNSClient, topic_arn: str) -> None:
        self._sns = sns
        self._topic_arn = topic_arn

    def publish(self, notice: Notice, *, deduplication_id: str | None = None) -> str:
        """Publish one notice and return its SNS message id."""
        message = sns_message(notice)
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
