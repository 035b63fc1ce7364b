"""The DynamoDB lease and outbox, against moto's DynamoDB."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest

from cvpn_guard.aws.clients import worst_case_call_seconds
from cvpn_guard.aws.state_table import (
    LEASE_SECONDS,
    WAIT_SECONDS,
    DynamoStateTable,
    LeaseLost,
    LeaseTimeout,
)
from tests.support.template import source_template


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


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


# ---- leases outlived by their holder: renewed before each write, or lost ----------------

KEY = "123456789012/eu-west-1/cvpn-endpoint-0123456789abcdef0"


def _sandboxes(dynamodb: Any, time: FakeTime) -> tuple[DynamoStateTable, DynamoStateTable]:
    """Two Lambda sandboxes on the same table and the same (fake) clock."""
    return (
        DynamoStateTable(dynamodb, "cvpn-guard-state", clock=time.clock, sleep=time.sleep),
        DynamoStateTable(dynamodb, "cvpn-guard-state", clock=time.clock, sleep=time.sleep),
    )


def _owner(dynamodb: Any) -> str | None:
    item = dynamodb.get_item(TableName="cvpn-guard-state", Key={"pk": {"S": f"lease#{KEY}"}})
    return item.get("Item", {}).get("owner", {}).get("S")


def test_a_lease_renewed_in_time_keeps_a_second_sandbox_out_past_its_first_expiry(
    dynamodb: Any,
) -> None:
    # Given sandbox A holds the lease and renews it (before a write) shortly before it expires
    time = FakeTime()
    a, b = _sandboxes(dynamodb, time)
    with a.hold(KEY) as lease:
        time.now += LEASE_SECONDS - 10
        lease.renew()

        # When sandbox B asks for it after the first expiry, while A is between two calls
        time.now += 20
        # Then B waits and gives up: A's renewed lease still runs
        with pytest.raises(LeaseTimeout), b.hold(KEY):
            pass
        # And A may still write (its next renewal succeeds)
        lease.renew()


def test_a_lease_taken_after_it_expired_refuses_its_old_holders_next_write(
    dynamodb: Any,
) -> None:
    # Given sandbox A holds the lease, and time passes beyond it while A is between calls
    time = FakeTime()
    a, b = _sandboxes(dynamodb, time)
    with ExitStack() as stack:
        lease_a = stack.enter_context(a.hold(KEY))
        time.now += LEASE_SECONDS + 1

        # When sandbox B takes the expired lease
        lease_b = stack.enter_context(b.hold(KEY))
        owner_b = _owner(dynamodb)

        # Then A's renewal before its next write is refused, naming the endpoint, and B's
        # lease is untouched (B may write)
        with pytest.raises(LeaseLost, match=KEY) as lost:
            lease_a.renew()
        assert lost.value.code == "LeaseLost"
        assert _owner(dynamodb) == owner_b
        lease_b.renew()


def test_an_expired_lease_nobody_took_is_lost_as_well(dynamodb: Any) -> None:
    # Given sandbox A's lease ran out while A was between calls (nobody else came)
    time = FakeTime()
    a, _ = _sandboxes(dynamodb, time)
    with a.hold(KEY) as lease:
        time.now += LEASE_SECONDS + 1

        # Then A's next write is refused all the same: an expired lease is anyone's to take,
        # so A cannot tell it is still alone
        with pytest.raises(LeaseLost):
            lease.renew()


def test_a_renewal_keeps_the_lease_through_the_longest_renewal_and_write(dynamodb: Any) -> None:
    # Given A renews its lease right before a write, and both calls take their worst case
    # (template.yaml's AWS_MAX_ATTEMPTS, every timeout, botocore's longest backoff)
    time = FakeTime()
    a, b = _sandboxes(dynamodb, time)
    variables = source_template()["Globals"]["Function"]["Environment"]["Variables"]
    call = worst_case_call_seconds(int(variables["AWS_MAX_ATTEMPTS"]))
    with a.hold(KEY) as lease:
        renewed_at = time.now
        lease.renew()
        time.now += 2 * call  # the renewal, then the write, as slow as they can be

        # When sandbox B asks for the lease the moment A's write ends at the latest
        with b.hold(KEY):
            taken_at = time.now

    # Then B got it only once the renewed lease ran out, after A's write was done
    assert taken_at > renewed_at + 2 * call
    assert taken_at >= renewed_at + LEASE_SECONDS - 1  # the item stores whole seconds
