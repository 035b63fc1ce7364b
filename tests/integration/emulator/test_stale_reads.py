"""Stale reads: right after a successful ModifyClientVpnEndpoint, EC2 may still describe the
endpoint with its old values. Armed in-process through the Python API, in server mode
through the HTTP control API; the clients must see the same thing either way.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

import cvpn_emulator
from tests.integration.emulator.conftest import Emulator, create_endpoint, describe_endpoint


def timeout_of(ec2: Any, endpoint_id: str) -> int:
    return int(describe_endpoint(ec2, endpoint_id)["SessionTimeoutHours"])


def set_timeout(ec2: Any, endpoint_id: str, hours: int) -> None:
    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=hours)


def listed_timeouts(ec2: Any, **paging: Any) -> dict[str, int]:
    pages = ec2.get_paginator("describe_client_vpn_endpoints").paginate(**paging)
    return {
        endpoint["ClientVpnEndpointId"]: endpoint["SessionTimeoutHours"]
        for page in pages
        for endpoint in page["ClientVpnEndpoints"]
    }


@pytest.mark.server_smoke
def test_modified_endpoint_is_described_with_its_old_values_once(
    emulator: Emulator, ec2: Any
) -> None:
    # Given an endpoint (session timeout 24 h) and one stale read armed
    endpoint_id = create_endpoint(ec2)
    emulator.stale_reads()

    # When its timeout is changed to 8 h
    set_timeout(ec2, endpoint_id, 8)

    # Then the next describe still shows the whole endpoint as it was before the modify
    stale = describe_endpoint(ec2, endpoint_id)
    assert stale["SessionTimeoutHours"] == 24
    # And the one after it shows the change; the fault is used up
    assert timeout_of(ec2, endpoint_id) == 8
    assert emulator.faults() == []
    # And the stale read is an ordinary call to the counters
    assert emulator.call_counts()["DescribeClientVpnEndpoints"] == 2
    assert emulator.endpoint_call_counts()["DescribeClientVpnEndpoints"] == {endpoint_id: 2}


def test_stale_reads_for_a_number_of_describes(emulator: Emulator, ec2: Any) -> None:
    # Given two stale reads armed for a modified endpoint
    endpoint_id = create_endpoint(ec2)
    emulator.stale_reads(times=2)
    set_timeout(ec2, endpoint_id, 8)

    # When it is described three times, Then the first two are stale
    assert [timeout_of(ec2, endpoint_id) for _ in range(3)] == [24, 24, 8]


def test_stale_reads_scoped_to_one_endpoint(emulator: Emulator, ec2: Any) -> None:
    # Given two endpoints and a stale read for the first only
    target, bystander = create_endpoint(ec2), create_endpoint(ec2)
    emulator.stale_reads(endpoint_id=target)

    # When both are modified
    set_timeout(ec2, bystander, 8)
    set_timeout(ec2, target, 10)

    # Then the bystander reads fresh, without using up the target's stale read
    assert timeout_of(ec2, bystander) == 8
    assert emulator.faults()[0]["remaining"] == 1
    # And the target reads stale once
    assert [timeout_of(ec2, target) for _ in range(2)] == [24, 10]


def test_nothing_is_stale_without_a_modify(emulator: Emulator, ec2: Any) -> None:
    # Given one stale read armed for any endpoint, and two endpoints
    modified, untouched = create_endpoint(ec2), create_endpoint(ec2)
    emulator.stale_reads()

    # When the untouched one is described, Then it is fresh and the fault is not used
    assert timeout_of(ec2, untouched) == 24
    assert emulator.faults()[0]["remaining"] == 1

    # When the other is modified, Then its read is the stale one
    set_timeout(ec2, modified, 8)
    assert timeout_of(ec2, untouched) == 24
    assert emulator.faults()[0]["remaining"] == 1
    assert timeout_of(ec2, modified) == 24
    assert emulator.faults() == []


def test_modifies_that_change_nothing_leave_nothing_stale(emulator: Emulator, ec2: Any) -> None:
    # Given a stale read armed, and the next modification of the endpoint dropped
    endpoint_id = create_endpoint(ec2)
    emulator.stale_reads()
    emulator.ignore_changes(endpoint_id=endpoint_id, times=1)

    # When it is modified in ways that change nothing: refused as invalid, as a dry run,
    # and dropped by ignore_changes
    with pytest.raises(ClientError):
        set_timeout(ec2, endpoint_id, 7)
    with pytest.raises(ClientError) as dry_run:
        ec2.modify_client_vpn_endpoint(
            ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=8, DryRun=True
        )
    assert dry_run.value.response["Error"]["Code"] == "DryRunOperation"
    set_timeout(ec2, endpoint_id, 8)

    # Then no describe is stale: the stale read is still armed
    assert timeout_of(ec2, endpoint_id) == 24
    assert [fault["kind"] for fault in emulator.faults()] == ["stale_reads"]
    assert emulator.faults()[0]["remaining"] == 1
    # And the next modification that applies is read stale once
    set_timeout(ec2, endpoint_id, 10)
    assert [timeout_of(ec2, endpoint_id) for _ in range(2)] == [24, 10]


def test_a_modify_before_the_fault_is_armed_is_not_read_stale(emulator: Emulator, ec2: Any) -> None:
    # Given an endpoint modified before any stale read was armed
    endpoint_id = create_endpoint(ec2)
    set_timeout(ec2, endpoint_id, 8)
    emulator.stale_reads()

    # When it is described, Then it is fresh
    assert timeout_of(ec2, endpoint_id) == 8


def test_stale_reads_until_cleared_show_the_state_before_the_latest_modify(
    emulator: Emulator, ec2: Any
) -> None:
    # Given stale reads until cleared, and an endpoint modified twice (24 -> 8 -> 10)
    endpoint_id = create_endpoint(ec2)
    emulator.stale_reads(endpoint_id=endpoint_id, times=None)
    set_timeout(ec2, endpoint_id, 8)
    set_timeout(ec2, endpoint_id, 10)

    # Then every describe shows the endpoint as it was just before the second modify
    assert [timeout_of(ec2, endpoint_id) for _ in range(3)] == [8, 8, 8]
    assert emulator.faults() == [
        {
            "operation": "DescribeClientVpnEndpoints",
            "endpoint_id": endpoint_id,
            "remaining": None,
            "kind": "stale_reads",
        }
    ]

    # When faults are cleared, Then reads are fresh again
    assert emulator.clear_faults() == 1
    assert timeout_of(ec2, endpoint_id) == 10


def test_listings_and_pages_serve_the_stale_endpoint(emulator: Emulator, ec2: Any) -> None:
    # Given six endpoints, the last one (on the second page of five) modified, with two
    # stale reads armed
    endpoint_ids = [create_endpoint(ec2) for _ in range(6)]
    last = endpoint_ids[-1]
    emulator.stale_reads(times=2)
    set_timeout(ec2, last, 8)

    # When the first page alone is read, Then it does not use a stale read
    first_page = ec2.describe_client_vpn_endpoints(MaxResults=5)
    assert last not in {e["ClientVpnEndpointId"] for e in first_page["ClientVpnEndpoints"]}
    assert emulator.faults()[0]["remaining"] == 2

    # When all pages are walked, Then the second page serves it stale
    assert listed_timeouts(ec2, PaginationConfig={"PageSize": 5})[last] == 24
    # And so does a plain listing, which uses up the fault
    assert listed_timeouts(ec2)[last] == 24
    assert emulator.faults() == []
    assert listed_timeouts(ec2) == dict.fromkeys(endpoint_ids[:-1], 24) | {last: 8}


def test_times_counts_describe_calls_not_endpoints(emulator: Emulator, ec2: Any) -> None:
    # Given two stale reads armed for any endpoint, and two endpoints modified
    first, second = create_endpoint(ec2), create_endpoint(ec2)
    emulator.stale_reads(times=2)
    set_timeout(ec2, first, 8)
    set_timeout(ec2, second, 10)

    # When one listing returns both, Then both are stale and one read is used
    assert listed_timeouts(ec2) == {first: 24, second: 24}
    assert emulator.faults()[0]["remaining"] == 1

    # When the first alone is described, Then it is stale and the fault is used up
    assert timeout_of(ec2, first) == 24
    # And the second reads fresh: the fault's reads are shared by the endpoints it covers
    assert timeout_of(ec2, second) == 10


def test_clear_faults_removes_stale_reads(emulator: Emulator, ec2: Any) -> None:
    # Given a modified endpoint with a stale read pending
    endpoint_id = create_endpoint(ec2)
    emulator.stale_reads()
    set_timeout(ec2, endpoint_id, 8)

    # When faults are cleared, Then the next read is fresh
    assert emulator.clear_faults() == 1
    assert timeout_of(ec2, endpoint_id) == 8


def test_reset_wipes_stale_reads(emulator: Emulator, ec2: Any) -> None:
    # Given stale reads armed until cleared
    emulator.stale_reads(times=None)
    assert len(emulator.faults()) == 1

    # When moto is reset
    emulator.reset()

    # Then the fault is gone: a new endpoint's modification reads fresh
    assert emulator.faults() == []
    endpoint_id = create_endpoint(ec2)
    set_timeout(ec2, endpoint_id, 8)
    assert timeout_of(ec2, endpoint_id) == 8


def test_bad_stale_reads_are_refused() -> None:
    # Python API: a non-positive count is a programming error
    with pytest.raises(ValueError, match="times"):
        cvpn_emulator.stale_reads(times=0)
