"""Notices as AWS Chatbot custom notifications: the documented shape, limits, hostile values.

The shape is checked against tests/unit/report/schemas/chatbot-custom-notification.schema.json,
written from https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from cvpn_guard.aws.sns import SNS_MESSAGE_LIMIT, sns_message
from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    ComplianceReport,
    EndpointReport,
    Notice,
    ReportError,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    report_notices,
)
from cvpn_guard.report.chat import DESCRIPTION_LIMIT, chat_json, chat_notification
from tests.support.examples import examples
from tests.unit.fuzz.strategies import nasty_text

SCHEMA = Path(__file__).parent / "schemas" / "chatbot-custom-notification.schema.json"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
HOSTILE_BANNER = "```\n<!channel> *Authorized* _use_ ~only~ <https://evil.example|click> &amp;\n```"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def assert_custom_notification(notification: Any) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _validator().iter_errors(notification)
    ]
    assert not errors, "\n".join(errors)


def _endpoint(
    banner: str = "Authorized use only.",
    *,
    index: int = 0,
    status: EndpointStatus = EndpointStatus.REMEDIATION_FAILED,
) -> EndpointReport:
    finding = Finding(
        rule="login-banner",
        severity="medium",
        expected={"Enabled": True, "BannerText": banner},
        actual=banner,
        remediable=True,
        disruptive=False,
        message=f"the banner is {banner}",
    )
    return EndpointReport(
        endpoint_id=f"cvpn-endpoint-{index:017x}",
        account="123456789012",
        region="eu-west-1",
        status=status,
        findings=(finding,),
        error=f"InvalidParameterValue: {banner}",
    )


def _report(endpoints: list[EndpointReport], *, kind: str = "sweeper") -> ComplianceReport:
    return build_report(
        policy=default_policy(),
        source=ReportSource(kind=kind, regions=("eu-west-1",)),  # type: ignore[arg-type]
        endpoints=endpoints,
        errors=[ReportError(region="us-east-1", code="AccessDenied", message="denied")],
        generated_at=NOW,
    )


def _fences(description: str) -> int:
    return description.count("```")


def test_an_endpoint_notice_is_a_documented_custom_notification_threaded_by_endpoint() -> None:
    # Given the enforcer's notice about one endpoint whose fix failed
    notice = compose_endpoint_notice(_report([_endpoint()], kind="enforcer"))

    # When it is turned into its chat form
    chat = chat_notification(notice)

    # Then it has AWS's documented shape, required keys and values
    assert_custom_notification(chat)
    assert (chat["version"], chat["source"]) == ("1.0", "custom")
    assert chat["content"]["textType"] == "client-markdown"
    # And the title says what the subject says, without SNS's tag
    assert notice.subject.removeprefix("[cvpn-guard] ") in chat["content"]["title"]
    # And the readable text is in it, and the status and rule are its keywords
    assert "login-banner" in chat["content"]["description"]
    assert {"remediation_failed", "medium", "login-banner"} <= set(chat["content"]["keywords"])
    # And every notice about this endpoint threads together
    assert chat["metadata"]["threadId"] == (
        "cvpn-guard/123456789012/eu-west-1/cvpn-endpoint-00000000000000000"
    )
    assert chat["metadata"]["additionalContext"]["endpoint_id"] == notice.attributes["endpoint_id"]


def test_a_hostile_banner_breaks_neither_the_json_nor_the_markdown() -> None:
    # Given a banner that closes code blocks, mentions the channel, links and formats
    notice = compose_endpoint_notice(_report([_endpoint(HOSTILE_BANNER)], kind="enforcer"))

    # When it is turned into its chat form and back from JSON
    chat = json.loads(chat_json(notice))

    # Then it is still a custom notification, the text stays inside one code block
    assert_custom_notification(chat)
    description = chat["content"]["description"]
    assert _fences(description) == 2
    assert description.startswith("```\n")
    assert description.endswith("\n```")
    # And no mention or link reaches Slack as markup (its control characters are escaped)
    assert "<" not in description
    assert ">" not in description
    assert "&lt;!channel&gt;" in description


@settings(max_examples=examples(100))
@given(nasty_text(), nasty_text(), st.sampled_from(list(EndpointStatus)))
def test_any_subject_text_and_attributes_give_a_valid_custom_notification(
    subject: str, text: str, status: EndpointStatus
) -> None:
    # Given a notice whose every field holds hostile text
    notice = Notice(
        subject=subject or "x",
        text=text,
        document=json.dumps({"report_id": text}),
        attributes={"status": str(status), "rules": text, "endpoint_id": text, "account": text},
    )

    # When it is turned into its chat form
    chat = json.loads(chat_json(notice))

    # Then it is a custom notification, the text in exactly one code block, one-line title
    assert_custom_notification(chat)
    assert _fences(chat["content"]["description"]) == 2
    assert "`" not in chat["content"]["title"]


def test_a_long_text_is_cut_at_a_whole_line_with_a_note_pointing_to_the_full_report() -> None:
    # Given a notice whose text has far more lines than a chat message renders well
    lines = [
        f"  non_compliant 123456789012/eu-west-1 cvpn-endpoint-{i:017x}: logging"
        for i in range(400)
    ]
    notice = Notice(
        subject="[cvpn-guard] REPORT 400 endpoints",
        text="\n".join(lines) + "\n",
        document="{}",
        attributes={"kind": "report", "status": "non_compliant"},
    )

    # When it is turned into its chat form
    description = chat_notification(notice)["content"]["description"]

    # Then the description keeps to the limit, shows whole lines from the start, and says
    # how many it left out and where the rest is
    assert len(description) <= DESCRIPTION_LIMIT
    shown = description.split("```")[1].strip("\n").split("\n")
    assert shown == lines[: len(shown)]
    assert f"{len(lines) - len(shown)} more line(s) not shown" in description
    assert "JSON report" in description


def test_every_part_of_a_split_report_is_a_custom_notification_in_one_thread() -> None:
    # Given a sweep report too large for one SNS message
    endpoints = [_endpoint("B" * 2_000, index=i) for i in range(150)]
    notices = report_notices(_report(endpoints))
    assert len(notices) > 1

    # When each part is turned into its chat form
    chats = [chat_notification(notice) for notice in notices]

    # Then each is a custom notification, the parts share one thread and have their own ids
    for chat in chats:
        assert_custom_notification(chat)
    assert len({chat["metadata"]["threadId"] for chat in chats}) == 1
    assert len({chat["id"] for chat in chats}) == len(chats)


def test_a_notice_saved_in_the_outbox_before_the_chat_form_is_sent_with_it() -> None:
    # Given an outbox record written by the previous release (no chat form in it)
    record = {
        "subject": "[cvpn-guard] NON_COMPLIANT cvpn-endpoint-0abc 123456789012/eu-west-1",
        "text": "Endpoint cvpn-endpoint-0abc: non_compliant\n",
        "document": json.dumps({"report_id": "r-1"}),
        "attributes": {"status": "non_compliant", "endpoint_id": "cvpn-endpoint-0abc"},
    }

    # When the enforcer sends it again
    message = json.loads(sns_message(Notice.from_record(record)))

    # Then the message carries the report, the text and the chat form
    assert message["default"] == record["document"]
    assert message["email"] == record["text"]
    assert_custom_notification(json.loads(message["https"]))


def _published_bytes(notice: Notice) -> int:
    attributes = sum(len(k) + len(v.encode()) + len("String") for k, v in notice.attributes.items())
    return len(sns_message(notice).encode()) + attributes


def test_every_part_with_its_chat_form_fits_in_one_sns_message() -> None:
    # Given large reports whose banners are quotes, accented letters and emoji (each escaped
    # once more, or wider in UTF-8, inside the SNS message)
    for banner in ('"' * 2_000, "é" * 2_000, "💥" * 1_000):
        notices = report_notices(_report([_endpoint(banner, index=i) for i in range(150)]))

        # When each part is published with its three protocol texts
        sizes = [_published_bytes(notice) for notice in notices]

        # Then each message, with its attributes, is within SNS's limit, and carries all three
        assert len(notices) > 1
        assert max(sizes) <= SNS_MESSAGE_LIMIT, (banner[0], sizes)
        for notice in notices:
            assert set(json.loads(sns_message(notice))) == {"default", "email", "https"}


def test_an_email_text_too_long_to_fit_is_cut_and_the_report_arrives_whole() -> None:
    # Given a part of nearly the budget and an e-mail text (thousands of errors) of 100 KB
    document = json.dumps({"report_id": "r-1", "pad": "x" * 199_000})
    notice = Notice(
        subject="[cvpn-guard] REPORT 0 endpoints",
        text="  AccessDenied in an account not swept\n" * 2_600,
        document=document,
        attributes={"kind": "report", "status": "non_compliant"},
    )

    # When it is published
    message = json.loads(sns_message(notice))

    # Then it fits, the JSON report is whole and the text says it was cut
    assert _published_bytes(notice) <= SNS_MESSAGE_LIMIT
    assert message["default"] == document
    assert message["email"].endswith("see the JSON report)\n")
    assert notice.text.startswith(message["email"].split("\n…")[0])
