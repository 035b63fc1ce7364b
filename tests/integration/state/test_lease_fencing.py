"""A sweep that outlives its lease never writes to the endpoint: each write renews it first.

Sandbox A (a sweep) holds an endpoint's lease; while A is between two calls, time passes
beyond the lease and sandbox B (an enforcer, another sweep) takes it. A's next write must not
happen. The clock is injected (no sleeps): the lease's time is the test's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import boto3

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.aws.state_table import LEASE_SECONDS, DynamoStateTable
from cvpn_guard.policy import load_policy
from cvpn_guard.sweep import sweep_region
from tests.integration.enforcer.test_fixes_beyond_modify import (
    associated_endpoint,
    calls_for,
    destinations,
    route_to_internet,
)
from tests.integration.state.test_state_table import FakeTime
from tests.support.estate import create_endpoint
from tests.support.world import REGION, EnforcerWorld

ACCOUNT = "123456789012"


class _SlowAfter:
    """The real Client VPN operations; after the first call of ``operation`` (answered or
    refused), ``meanwhile`` runs (time passes, another sandbox acts) before the sweep goes on."""

    def __init__(self, api: ClientVpnApi, operation: str, meanwhile: Callable[[], None]) -> None:
        self._api = api
        self._operation = operation
        self._meanwhile: Callable[[], None] | None = meanwhile

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._api, name)
        if name != self._operation:
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            finally:  # a refused call takes its time too
                meanwhile, self._meanwhile = self._meanwhile, None
                if meanwhile is not None:
                    meanwhile()

        return call


def _policy(**rules: dict[str, Any]) -> Any:
    return load_policy(json.dumps({"version": 1, "mode": "enforce", "rules": rules}))


@contextmanager
def _lease_taken_after(
    world: EnforcerWorld, endpoint_id: str, operation: str
) -> Iterator[tuple[_SlowAfter, DynamoStateTable]]:
    """Sandbox A's Client VPN operations and state table. After A's first ``operation``, time
    passes beyond A's lease and sandbox B (same table, same clock) takes it, until the end of
    the block."""
    time = FakeTime()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    a, b = (
        DynamoStateTable(dynamodb, "cvpn-guard-state", clock=time.clock, sleep=time.sleep)
        for _ in range(2)
    )
    with ExitStack() as sandbox_b:

        def lease_taken_by_b() -> None:
            time.now += LEASE_SECONDS + 1
            sandbox_b.enter_context(b.hold(f"{ACCOUNT}/{REGION}/{endpoint_id}"))

        yield _SlowAfter(ClientVpnApi(world.ec2), operation, lease_taken_by_b), a


def test_a_sweep_whose_lease_was_taken_does_not_modify_the_endpoint(
    in_process_world: EnforcerWorld,
) -> None:
    # Given a drifted endpoint, and sandbox A sweeping it: under the lease A describes it
    # again, then (between that call and the Modify) time passes beyond the lease and
    # sandbox B takes it
    world = in_process_world
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    with _lease_taken_after(world, endpoint_id, "describe_endpoint") as (api, a):
        # When A's sweep goes on to fix it
        outcome = sweep_region(
            api,
            _policy(**{"disconnect-on-session-timeout": {"required": True}}),
            account=ACCOUNT,
            region=REGION,
            locks=a,
        )

    # Then A never modifies it: the renewal before the Modify fails, and the endpoint is an
    # error entry of the report saying why (B, or the next sweep, fixes it)
    assert world.modify_calls(endpoint_id) == 0
    (error,) = outcome.errors
    assert (error.endpoint_id, error.code) == (endpoint_id, "LeaseLost")
    assert "the write to the endpoint was not made" in error.message
    assert outcome.endpoints == []
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is False


def test_a_lease_lost_after_the_modify_stops_the_fixes_other_calls(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint that needs a Modify and a route deletion, and a sweep whose lease is
    # taken by sandbox B while the Modify is under way
    world = in_process_world
    endpoint_id, subnet_id = associated_endpoint(world, DisconnectOnSessionTimeout=False)
    route_to_internet(world, endpoint_id, subnet_id)
    policy = _policy(
        **{
            "disconnect-on-session-timeout": {"required": True},
            "routes": {"remove_forbidden": True},
        }
    )
    with _lease_taken_after(world, endpoint_id, "modify_endpoint") as (api, a):
        # When A's sweep fixes it
        outcome = sweep_region(api, policy, account=ACCOUNT, region=REGION, locks=a)

    # Then the Modify (made under A's renewed lease) stands, and the route deletion after it
    # is not made: its renewal finds B's lease
    assert world.modify_calls(endpoint_id) == 1
    assert calls_for(world, endpoint_id, "DeleteClientVpnRoute") == 0
    assert "0.0.0.0/0" in destinations(world, endpoint_id)
    (error,) = outcome.errors
    assert (error.endpoint_id, error.code) == (endpoint_id, "LeaseLost")


def test_a_lease_lost_after_a_refused_modify_stops_the_second_one(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint breaking two Modify rules, one of them into a log group that does not
    # exist, and a sweep whose lease is taken by sandbox B while AWS refuses the first Modify
    world = in_process_world
    endpoint_id = create_endpoint(world.ec2, SessionTimeoutHours=24)
    policy = _policy(
        **{
            "session-timeout": {"max_hours": 12},
            "connection-logging": {"required": True, "log_group": "/aws/clientvpn/missing"},
        }
    )
    with _lease_taken_after(world, endpoint_id, "modify_endpoint") as (api, a):
        # When A's sweep fixes it
        outcome = sweep_region(api, policy, account=ACCOUNT, region=REGION, locks=a)

    # Then the Modify without the log group is not sent: its renewal finds B's lease
    assert world.modify_calls(endpoint_id) == 1
    assert world.describe(endpoint_id)["SessionTimeoutHours"] == 24
    (error,) = outcome.errors
    assert (error.endpoint_id, error.code) == (endpoint_id, "LeaseLost")
    assert outcome.endpoints == []
