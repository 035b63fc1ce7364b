"""Publishing notices and reports to SNS (implements ``NotificationPort``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.report.chat import chat_json

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from cvpn_guard.notice import Notice


# Publish's documented limit for a message and its attributes together (botocore's SNS model).
SNS_MESSAGE_LIMIT = 262_144
_TEXT_CUT = "\n… (the rest of this text did not fit in one SNS message: see the JSON report)\n"


def sns_message(notice: Notice) -> str:
    """The ``Message`` of ``notice`` for ``MessageStructure=json``: one text per protocol.

    Publish's documentation (botocore's SNS model): with ``MessageStructure=json`` the message
    is a JSON object with at least a ``default`` string; other top-level keys name the text for
    one protocol ("e.g. http"), and "including multiple protocols may limit message sizes"
    because every value counts against the one message limit. So: ``email`` gets the readable
    text, ``https`` (AWS Chatbot's subscription, and so every other HTTPS webhook) the chat
    form, and ``default`` (SQS, Lambda, HTTP and email-json) the JSON report. The chat form is
    at most a few KB; a part's document at most ``DEFAULT_MAX_PART_BYTES`` as embedded here
    (``parts.embedded_size``); the e-mail text, which lists every error and target not swept,
    is cut when the three would not fit with the attributes.

    Non-ASCII stays UTF-8 (``ensure_ascii=False``): escaped, an "é" would take six bytes
    instead of two. Every value is UTF-8-safe: the document falls back to ASCII escapes for a
    lone surrogate, the text went through ``utf8_safe``, the chat form is ASCII.
    """
    chat = chat_json(notice)
    text = notice.text

    def message(email: str) -> str:
        return json.dumps(
            {"default": notice.document, "email": email, "https": chat}, ensure_ascii=False
        )

    budget = SNS_MESSAGE_LIMIT - sum(
        len(name.encode()) + len(value.encode()) + len("String")
        for name, value in notice.attributes.items()
    )
    whole = message(text)
    excess = len(whole.encode()) - budget
    if excess <= 0:
        return whole
    # Cut by characters, generously (an escaped character may take up to 6 bytes).
    keep = max(0, len(text) - excess - len(_TEXT_CUT.encode()))
    while keep and len(message(text[:keep] + _TEXT_CUT).encode()) > budget:
        keep = max(0, keep - max(excess, 1_000))
    return message(text[:keep] + _TEXT_CUT)


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
