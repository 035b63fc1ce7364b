"""The SNS adapter publishes one message with a text per protocol, checked through moto's SNS.

moto delivers ``MessageStructure=json`` messages by protocol (the protocol's key, else
``default``) and posts HTTP(S) notifications with ``requests``; it does not check that an
``https`` subscription's URL is HTTPS, which lets a loopback server stand in for AWS Chatbot.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from cvpn_guard.aws.sns import SnsNotifier
from cvpn_guard.report import Notice
from tests.support.estate import received_notices, subscribe_queue

SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "unit"
    / "report"
    / "schemas"
    / "chatbot-custom-notification.schema.json"
)
NOTICE = Notice(
    subject="[cvpn-guard] NON_COMPLIANT cvpn-endpoint-0abc 123456789012/eu-west-1",
    text='Endpoint cvpn-endpoint-0abc: non_compliant\n  login-banner: "<!channel> ```"\n',
    document=json.dumps({"report_id": "r-1", "endpoints": []}),
    attributes={"status": "non_compliant", "endpoint_id": "cvpn-endpoint-0abc"},
)


@pytest.fixture
def chat_endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback HTTP server that keeps the JSON bodies SNS posts to it."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", received
    server.shutdown()
    server.server_close()


def test_each_protocol_receives_its_own_form_of_the_notice(
    chat_endpoint: tuple[str, list[dict[str, Any]]],
) -> None:
    url, posted = chat_endpoint
    with mock_aws():
        # Given the stack's topic with an SQS queue and a chat channel's HTTPS subscription
        sns = boto3.client("sns", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        topic_arn, queue_url = subscribe_queue(sns, sqs)
        sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint=url)

        # When the adapter publishes a notice
        SnsNotifier(sns, topic_arn).publish(NOTICE)

        # Then the queue receives the JSON report
        (queued,) = received_notices(sqs, queue_url)
        assert queued["Message"] == NOTICE.document
        # And the chat channel a custom notification of the documented shape
        (chat_post,) = posted
        chat = json.loads(chat_post["Message"])
        jsonschema.validate(chat, json.loads(SCHEMA.read_text()))
        assert chat["source"] == "custom"
        assert "cvpn-endpoint-0abc" in chat["content"]["title"]
        # And the published message carried all three, the e-mail getting the readable text
        topic = sns_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].topics[topic_arn]
        (published,) = topic.sent_notifications
        message = json.loads(published[1])
        assert set(message) == {"default", "email", "https"}
        assert message["email"] == NOTICE.text
