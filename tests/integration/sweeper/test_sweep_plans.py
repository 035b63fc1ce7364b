"""A sweep that only plans writes nothing and hands over each endpoint's calls; a sweep told
which plans were confirmed applies only those (what ``scan --plan`` and ``scan --remediate``
run)."""

from __future__ import annotations

import json

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.endpoint_guard import NOT_APPROVED, Proposal
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.planning import endpoint_plan
from cvpn_guard.policy import load_policy
from cvpn_guard.sweep import sweep_region
from tests.integration.enforcer.test_fixes_beyond_modify import (
    associated_endpoint,
    destinations,
    route_to_internet,
)
from tests.support.estate import BANNER, create_endpoint
from tests.support.windows import banner_off_long_sessions
from tests.support.world import REGION, EnforcerWorld

ACCOUNT = "123456789012"
POLICY = load_policy(
    json.dumps(
        {
            "version": 1,
            "mode": "enforce",
            "rules": {
                "login-banner": {"required": True, "text": BANNER},
                "session-timeout": {"max_hours": 12},
                "routes": {"remove_forbidden": True},
            },
        }
    )
)


def test_a_planning_sweep_writes_nothing_and_plans_every_call_in_order(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint with 24-hour sessions that routes 0.0.0.0/0, and 2 users connected
    world = in_process_world
    endpoint_id, subnet_id = associated_endpoint(world, SessionTimeoutHours=24)
    route_to_internet(world, endpoint_id, subnet_id)
    world.faults.seed_connections(endpoint_id, 2)
    proposals: list[Proposal] = []

    # When the region is swept to plan
    outcome = sweep_region(
        ClientVpnApi(world.ec2),
        POLICY,
        account=ACCOUNT,
        region=REGION,
        locks=InMemoryState(),
        propose=proposals.append,
    )

    # Then nothing was written
    counts = world.faults.call_counts()
    assert counts.get("ModifyClientVpnEndpoint", 0) == counts.get("DeleteClientVpnRoute", 0) == 0
    assert "0.0.0.0/0" in destinations(world, endpoint_id)
    assert [str(r.status) for r in outcome.endpoints] == ["non_compliant"]

    # And the plan names the Modify, then the route deletion, with their exact parameters
    (plan,) = [endpoint_plan(p) for p in proposals]
    modify, delete = plan.calls
    assert modify.operation == "ModifyClientVpnEndpoint"
    assert modify.parameters == {"ClientVpnEndpointId": endpoint_id, "SessionTimeoutHours": 12}
    assert [(c.field, c.before, c.after) for c in modify.changes] == [
        ("SessionTimeoutHours", 24, 12)
    ]
    assert delete.operation == "DeleteClientVpnRoute"
    assert delete.parameters == {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidrBlock": "0.0.0.0/0",
        "TargetVpcSubnetId": subnet_id,
    }
    (change,) = delete.changes
    assert change.after == []
    assert plan.disruptive is True
    assert plan.users_affected == 2


def test_a_sweep_applies_only_the_plans_approved(in_process_world: EnforcerWorld) -> None:
    # Given two endpoints drifted the same way
    world = in_process_world
    approved = create_endpoint(world.ec2, **banner_off_long_sessions())
    changed = create_endpoint(world.ec2, cidr="10.200.0.0/22", **banner_off_long_sessions())
    proposals: list[Proposal] = []
    api = ClientVpnApi(world.ec2)
    sweep_region(
        api, POLICY, account=ACCOUNT, region=REGION, locks=InMemoryState(), propose=proposals.append
    )
    shown = {p.result.report.endpoint_id: p.result.plan for p in proposals}
    # ... and one of them changed after its plan was shown (its sessions now last 10 hours)
    world.ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=changed, SessionTimeoutHours=10)

    # When the sweep applies what was shown
    outcome = sweep_region(
        api,
        POLICY,
        account=ACCOUNT,
        region=REGION,
        locks=InMemoryState(),
        approve=lambda endpoint_id, plan: shown.get(endpoint_id) == plan,
    )

    # Then the unchanged endpoint is fixed; the changed one is left as it is, and says why
    reports = {r.endpoint_id: r for r in outcome.endpoints}
    assert str(reports[approved].status) == "remediated"
    assert str(reports[changed].status) == "non_compliant"
    assert reports[changed].error == NOT_APPROVED
    described = world.ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[changed])
    assert described["ClientVpnEndpoints"][0]["SessionTimeoutHours"] == 10


def test_a_sweep_of_named_endpoints_reads_and_fixes_only_them(
    in_process_world: EnforcerWorld,
) -> None:
    # Given two drifted endpoints
    world = in_process_world
    named = create_endpoint(world.ec2, **banner_off_long_sessions())
    other = create_endpoint(world.ec2, cidr="10.200.0.0/22", **banner_off_long_sessions())

    # When only one is swept
    outcome = sweep_region(
        ClientVpnApi(world.ec2),
        POLICY,
        account=ACCOUNT,
        region=REGION,
        locks=InMemoryState(),
        endpoint_ids=[named],
    )

    # Then only it is in the outcome, and only it was fixed
    assert [r.endpoint_id for r in outcome.endpoints] == [named]
    described = world.ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[other])
    assert described["ClientVpnEndpoints"][0]["SessionTimeoutHours"] == 24
