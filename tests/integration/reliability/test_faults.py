"""Faults on the wire (emulator served over HTTP): throttling, failed publishes, races."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from cvpn_devkit.lambda_harness import ACCOUNT

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.aws.state_table import DynamoStateTable
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.policy import load_policy
from cvpn_guard.sweep import RegionSweep, sweep_region
from tests.support.estate import create_endpoint
from tests.support.events import load_event
from tests.support.world import REGION, EnforcerWorld

# The world's clients use botocore's standard retry mode with AWS_MAX_ATTEMPTS=3.
WITHIN_BUDGET = 2
BEYOND_BUDGET = 3


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("DescribeClientVpnEndpoints", "RequestLimitExceeded"),
        ("ModifyClientVpnEndpoint", "RequestLimitExceeded"),
        ("Publish", "Throttling"),
    ],
)
def test_throttling_within_the_retry_budget_still_converges(
    server_world: EnforcerWorld, operation: str, code: str
) -> None:
    # Given AWS throttles the next calls of one operation
    world = server_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error(operation, code, times=WITHIN_BUDGET)

    # When the event arrives
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then botocore's retries absorb it: fixed once, notified once
    assert result["status"] == "remediated"
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    assert len(world.notices()) == 1
    assert world.faults.call_counts()[operation] >= WITHIN_BUDGET + 1


def test_throttling_beyond_the_budget_raises_and_the_retry_converges(
    server_world: EnforcerWorld,
) -> None:
    # Given describe is throttled longer than the retry budget
    world = server_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error(
        "DescribeClientVpnEndpoints", "RequestLimitExceeded", times=BEYOND_BUDGET
    )
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the event arrives, Then the invocation raises (Lambda retries, then the DLQ keeps it)
    with pytest.raises(AwsCallError) as raised:
        world.invoke(event)
    assert raised.value.transient
    assert world.modify_calls(endpoint_id) == 0
    assert world.notices() == []

    # When Lambda retries after the burst, Then the event converges
    assert world.invoke(event)["status"] == "remediated"
    assert world.modify_calls(endpoint_id) == 1


def test_modify_throttled_beyond_the_budget_is_reported_then_fixed_on_retry(
    server_world: EnforcerWorld,
) -> None:
    # Given every attempt of the first invocation's modify is throttled
    world = server_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error(
        "ModifyClientVpnEndpoint", "RequestLimitExceeded", times=BEYOND_BUDGET
    )
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the event arrives, Then it fails with a remediation_failed notice
    with pytest.raises(Exception, match="RequestLimitExceeded"):
        world.invoke(event)
    (failed,) = world.notices()
    assert failed["MessageAttributes"]["status"]["Value"] == "remediation_failed"

    # When Lambda retries (throttling is transient), Then the fix goes through
    assert world.invoke(event)["status"] == "remediated"
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True


def _at_once(calls: list[Callable[[], dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run the calls in parallel, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_events_for_one_endpoint_at_once_modify_it_once(server_world: EnforcerWorld) -> None:
    # Given a drifted endpoint and two different events about it
    world = server_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    create = load_event("create_endpoint_noncompliant", endpoint_id)
    modify = load_event("modify_endpoint_by_user", endpoint_id)

    # When both are handled at the same moment
    results = _at_once([lambda: world.invoke(create), lambda: world.invoke(modify)])

    # Then the lease lets one fix it; the other finds it fixed
    assert sorted(r["status"] for r in results) == ["non_compliant", "remediated"]
    assert world.modify_calls(endpoint_id) == 1
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True


def test_duplicate_deliveries_at_once_modify_once_and_notify_once(
    server_world: EnforcerWorld,
) -> None:
    # Given the same event delivered three times at the same moment
    world = server_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the deliveries race
    results = _at_once([lambda: world.invoke(event)] * 3)

    # Then exactly one modify and one notice
    assert sorted(r["status"] for r in results) == ["duplicate", "duplicate", "remediated"]
    assert world.modify_calls(endpoint_id) == 1
    assert len(world.notices()) == 1


class _FirstPageInStep:
    """Client VPN operations whose sweeps both hold their first page before either judges it:
    two sweeps that overlap (no reserved concurrency keeps them apart) see the same drift."""

    def __init__(self, api: ClientVpnApi, barrier: threading.Barrier) -> None:
        self._api = api
        self._barrier = barrier

    def endpoint_pages(self, page_size: int = 100) -> Iterator[Sequence[Mapping[str, Any]]]:
        for page in self._api.endpoint_pages(page_size):
            self._barrier.wait(timeout=30)
            yield page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


def test_two_overlapping_sweeps_fix_each_endpoint_once(server_world: EnforcerWorld) -> None:
    # Given two drifted endpoints, the deployment's state table, and two sweeps that both read
    # the endpoints' drifted state before either fixes anything
    world = server_world
    drifted = [
        create_endpoint(world.ec2, cidr=cidr, DisconnectOnSessionTimeout=False)
        for cidr in ("10.100.0.0/22", "10.104.0.0/22")
    ]
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = DynamoStateTable(dynamodb, os.environ["STATE_TABLE_NAME"])
    barrier = threading.Barrier(2)
    policy = load_policy(
        '{"version": 1, "mode": "enforce",'
        ' "rules": {"disconnect-on-session-timeout": {"required": true}}}'
    )

    def run_sweep() -> RegionSweep:
        api = _FirstPageInStep(ClientVpnApi(world.ec2), barrier)
        return sweep_region(api, policy, account=ACCOUNT, region=REGION, locks=table)

    # When they run at once
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: run_sweep(), range(2)))

    # Then each endpoint is modified once: the sweep that waited for the lease described it
    # again and found it fixed
    assert [o.errors for o in outcomes] == [[], []]
    for endpoint_id in drifted:
        assert world.modify_calls(endpoint_id) == 1
        statuses = sorted(
            str(r.status) for o in outcomes for r in o.endpoints if r.endpoint_id == endpoint_id
        )
        assert statuses == ["compliant", "remediated"]
