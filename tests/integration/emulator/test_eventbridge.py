"""EventBridge delivery as AWS does it: a target gets the whole event, ``account`` included,
and an event sent to another account's bus keeps its envelope (the sender's account)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.emulator.conftest import Emulator

SENDER = "210987654321"
PATTERN = json.dumps({"source": ["cvpn.test"]})


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _received(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def _put(events: Any, **entry: Any) -> None:
    entry = {"Source": "cvpn.test", "DetailType": "test", "Detail": '{"n": 1}', **entry}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0


@pytest.mark.server_smoke
def test_a_queue_target_receives_the_whole_event(emulator: Emulator) -> None:
    events, sqs = emulator.client("events"), emulator.client("sqs")
    url, arn = _queue(sqs, "target")
    events.put_rule(Name="all", EventPattern=PATTERN)
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])

    _put(events, Resources=["arn:aws:ec2:us-east-1:123456789012:client-vpn-endpoint/x"])

    (event,) = _received(sqs, url)
    assert event["account"] == "123456789012"
    assert event["region"] == "us-east-1"
    assert event["detail"] == {"n": 1}
    assert set(event) >= {"version", "id", "detail-type", "source", "time", "resources"}


def test_an_event_forwarded_to_another_accounts_bus_keeps_the_senders_envelope(
    emulator: Emulator,
) -> None:
    # Given a central bus whose rule delivers to a queue, and a sender rule forwarding to it
    events, sqs = emulator.client("events"), emulator.client("sqs")
    url, queue_arn = _queue(sqs, "central-target")
    bus_arn = events.create_event_bus(Name="central")["EventBusArn"]
    events.put_rule(Name="central", EventBusName="central", EventPattern=PATTERN)
    events.put_targets(
        Rule="central", EventBusName="central", Targets=[{"Id": "q", "Arn": queue_arn}]
    )
    sender = emulator.client_in(SENDER, "events")
    sender.put_rule(Name="forward", EventPattern=PATTERN)
    sender.put_targets(Rule="forward", Targets=[{"Id": "bus", "Arn": bus_arn}])

    # When the sender account puts an event on its default bus
    _put(sender)

    # Then the central rule receives it once, still the sender's event
    (event,) = _received(sqs, url)
    assert event["account"] == SENDER
    assert event["detail"] == {"n": 1}
