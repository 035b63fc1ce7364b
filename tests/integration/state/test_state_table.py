"""The DynamoDB lease and outbox, against moto's DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cvpn_guard.aws.state_table import LEASE_SECONDS, WAIT_SECONDS, DynamoStateTable, LeaseTimeout
from tests.support.estate import create_state_table


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        create_state_table(client)
        yield client


def test_a_held_lease_blocks_others_until_released(dynamodb: Any) -> None:
    time = FakeTime()
    table = DynamoStateTable(dynamodb, "cvpn-guard-state", clock=time.clock, sleep=time.sleep)
    key = "123456789012/eu-west-1/cvpn-endpoint-0123456789abcdef0"
    # Given one invocation holds the lease, When another waits longer than it may,
    # Then it gives up (and Lambda retries it later)
    with table.hold(key), pytest.raises(LeaseTimeout), table.hold(key):
        pass
    assert time.now >= 1_800_000_000.0 + WAIT_SECONDS
    # And once released, the lease is free again
    with table.hold(key):
        pass


def test_a_crashed_holders_lease_expires(dynamodb: Any) -> None:
    time = FakeTime()
    table = DynamoStateTable(dynamodb, "cvpn-guard-state", clock=time.clock, sleep=time.sleep)
    # Given an invocation died holding the lease (never released)
    table.hold("k").__enter__()
    time.now += LEASE_SECONDS + 1
    # When another invocation comes after the lease's lifetime, Then it gets the lease
    with table.hold("k"):
        pass


def test_outbox_round_trip(dynamodb: Any) -> None:
    table = DynamoStateTable(dynamodb, "cvpn-guard-state")
    assert table.pending("event-1") is None
    table.save(
        "event-1",
        {"notice": {"subject": "s", "text": 't\n"x"', "document": "{}", "attributes": {}}},
    )
    assert table.pending("event-1") == {
        "notice": {"subject": "s", "text": 't\n"x"', "document": "{}", "attributes": {}}
    }
    table.save("event-1", {"done": True})
    assert table.pending("event-1") == {"done": True}
