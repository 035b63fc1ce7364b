"""A notice as AWS Chatbot (Amazon Q Developer in chat applications) renders it in Slack or Teams.

The custom-notification format, from "Custom notifications using Amazon Q Developer in chat
applications" (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html):
``version`` must be ``"1.0"`` and ``source`` must be ``"custom"`` (both required); ``id`` is a
unique event identifier; ``content.textType`` may only be ``"client-markdown"`` (rendered in the
chat platform's own markdown); ``content.title``, ``description``, ``nextSteps`` and
``keywords``; ``metadata.threadId`` groups notifications into one thread, ``summary``,
``eventType``, ``relatedResources`` and ``additionalContext`` (string to string).

The part of that page we could read states no length limits, so this form keeps to Slack's: a
section block's text holds at most 3,000 characters
(https://api.slack.com/reference/block-kit/blocks#section); the title is one line of at most
150. A longer text is cut at a line, with a note that the whole of it is in the e-mail and
the JSON report.

Pure: the SNS adapter sends it under the ``https`` key of a ``MessageStructure=json`` message
(AWS Chatbot subscribes to a topic with the ``https`` protocol). Built from the notice alone, so notices kept in the enforcer's outbox
before this form existed are sent in it too, and the title follows the subject's wording.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cvpn_guard.notice import Notice, utf8_safe
from cvpn_guard.report.render import cut_text

TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 3_000
# One line of the text, before escaping (a value in the text is cut to far less already).
LINE_LIMIT = 300
KEYWORD_LIMIT = 10
KEYWORD_LENGTH = 50
_PREFIX = "[cvpn-guard] "
_CUT_NOTE = (
    "_{count} more line(s) not shown: the whole text is in the e-mail, "
    "and the JSON report goes to SQS and Lambda subscribers._"
)
_STATUS_EMOJI = {
    "compliant": ":white_check_mark:",
    "remediated": ":wrench:",
    "exempt": ":information_source:",
    "deferred": ":hourglass:",
    "non_compliant": ":warning:",
    "remediation_failed": ":x:",
}
# Emphasis marks at a word's edge (Slack and Teams would pair them up); inside a word
# (remediation_failed) they format nothing and stay.
_EDGE_EMPHASIS = re.compile(r"(?<![A-Za-z0-9])[*_~]|[*_~](?![A-Za-z0-9])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A run of three backticks would close the code block the text is shown in.
_FENCE = re.compile(r"`{3,}")


def chat_notification(notice: Notice) -> dict[str, Any]:
    """The custom notification of ``notice`` (a JSON-ready dict)."""
    attributes = dict(notice.attributes)
    report_id = _report_id(notice.document)
    status = attributes.get("status", "")
    notification: dict[str, Any] = {
        "version": "1.0",
        "source": "custom",
        "content": {
            "textType": "client-markdown",
            "title": _title(notice.subject, status),
            "description": _description(notice.text),
            "keywords": _keywords(attributes),
        },
        "metadata": {
            "summary": _inline(notice.subject.removeprefix(_PREFIX))[:TITLE_LIMIT],
            "eventType": f"cvpn-guard-{attributes.get('kind', 'endpoint')}",
            "additionalContext": {
                name: utf8_safe(value)[: KEYWORD_LENGTH * 4]
                for name, value in sorted(attributes.items())
                if value
            },
        },
    }
    if report_id:
        part = attributes.get("part")
        notification["id"] = f"{report_id}/{part}" if part else report_id
    thread = _thread_id(attributes, report_id)
    if thread:
        notification["metadata"]["threadId"] = thread
    return notification


def chat_json(notice: Notice) -> str:
    """``chat_notification`` as the JSON text SNS delivers."""
    return json.dumps(chat_notification(notice), separators=(",", ":"))


def _title(subject: str, status: str) -> str:
    emoji = _STATUS_EMOJI.get(status, ":bell:" if status else ":memo:")
    return f"{emoji} {_inline(subject.removeprefix(_PREFIX))}"[:TITLE_LIMIT]


def _description(text: str) -> str:
    """The text in a code block (no markdown renders inside one), cut at a line to the limit."""
    lines = [_in_code(cut_text(line, LINE_LIMIT)) for line in text.rstrip("\n").split("\n")]
    opening, closing = "```\n", "\n```"
    used = len(opening) + len(closing)
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        # Room for the note stays free until the last line is in.
        note = "" if last else "\n" + _CUT_NOTE.format(count=len(lines) - index - 1)
        if used + len(line) + 1 + len(note) > DESCRIPTION_LIMIT:
            shown = "\n".join(lines[:index])
            return opening + shown + closing + "\n" + _CUT_NOTE.format(count=len(lines) - index)
        used += len(line) + 1
    return opening + "\n".join(lines) + closing


def _keywords(attributes: dict[str, str]) -> list[str]:
    words = [attributes.get("status", ""), attributes.get("severity", "")]
    words += attributes.get("rules", "").split(",")
    shown = (_inline(word)[:KEYWORD_LENGTH] for word in words if word != "none")
    unique = dict.fromkeys(word for word in shown if word.strip())
    return list(unique)[:KEYWORD_LIMIT]


def _thread_id(attributes: dict[str, str], report_id: str | None) -> str | None:
    # Every notice about one endpoint threads together; the parts of one report too.
    endpoint = attributes.get("endpoint_id")
    if endpoint:
        where = "/".join(attributes.get(key, "") for key in ("account", "region"))
        return _identifier(f"cvpn-guard/{where}/{endpoint}")
    return _identifier(f"cvpn-guard/report/{report_id}") if report_id else None


def _report_id(document: str) -> str | None:
    try:
        parsed = json.loads(document)
    except ValueError:
        return None
    value = parsed.get("report_id") if isinstance(parsed, dict) else None
    return _identifier(value) if isinstance(value, str) and value else None


def _identifier(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._:/-]", "?", text)[:256]


def _inline(text: str) -> str:
    """``text`` safe in markdown outside a code block: one line, no mention or link syntax
    (Slack's control characters &, < and > escaped as Slack documents), no emphasis marks
    that could pair up, no backticks."""
    one_line = _CONTROL.sub("?", " ".join(utf8_safe(text).split()))
    return _EDGE_EMPHASIS.sub("?", _escape_controls(one_line)).replace("`", "'")


def _in_code(line: str) -> str:
    return _FENCE.sub(lambda run: "`\u200b" * len(run.group()), _escape_controls(utf8_safe(line)))


def _escape_controls(text: str) -> str:
    # https://api.slack.com/reference/surfaces/formatting#escaping: <!here>, <@U…> and <url|x>
    # are mentions and links; escaped, they show as typed.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
