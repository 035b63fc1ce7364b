"""The sweep judges and fixes the rules whose data or fix is not in ModifyClientVpnEndpoint.

The sweeper and the CLI's scan run :func:`cvpn_guard.sweep.sweep_region`, which goes through
the same EndpointGuard as the enforcer: what it reads and calls is checked here once.
"""

from __future__ import annotations

import json

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.policy import load_policy
from cvpn_guard.sweep import sweep_region
from tests.integration.enforcer.test_fixes_beyond_modify import (
    associated_endpoint,
    destinations,
    route_to_internet,
)
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.world import REGION, EnforcerWorld


def test_a_sweep_deletes_forbidden_routes_and_reports_missing_revocation_lists(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint routing 0.0.0.0/0, and another without a revocation list
    world = in_process_world
    routed, subnet_id = associated_endpoint(world)
    route_to_internet(world, routed, subnet_id)
    unlisted = create_endpoint(world.ec2, cidr="10.200.0.0/22", **compliant_overrides())
    policy = load_policy(
        json.dumps(
            {
                "version": 1,
                "mode": "enforce",
                "rules": {"routes": {"remove_forbidden": True}, "certificate-revocation": {}},
            }
        )
    )

    # When the region is swept
    outcome = sweep_region(
        ClientVpnApi(world.ec2),
        policy,
        account="123456789012",
        region=REGION,
        locks=InMemoryState(),
    )

    # Then the route is gone and both endpoints' revocation lists are reported
    assert outcome.errors == []
    assert destinations(world, routed) == ["10.0.0.0/16"]
    reports = {report.endpoint_id: report for report in outcome.endpoints}
    assert reports[routed].fixed_rules == ("routes",)
    assert [f.rule for f in reports[routed].findings] == ["certificate-revocation", "routes"]
    assert [f.rule for f in reports[unlisted].findings] == ["certificate-revocation"]
    assert str(reports[unlisted].status) == "non_compliant"


def test_a_rule_that_could_not_be_checked_is_in_the_report_as_unevaluated(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint without a VPC (so without a default security group to compare) and a
    # policy forbidding the default group
    world = in_process_world
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())
    policy = load_policy(
        json.dumps({"version": 1, "mode": "report", "rules": {"security-groups": {}}})
    )

    # When the region is swept
    (report,) = sweep_region(
        ClientVpnApi(world.ec2),
        policy,
        account="123456789012",
        region=REGION,
        locks=InMemoryState(),
    ).endpoints

    # Then the report says the rule was not checked (it found nothing, which is not a pass),
    # and the JSON a subscriber receives carries it
    assert report.endpoint_id == endpoint_id
    assert report.findings == ()
    assert [(u.rule, u.reason) for u in report.unevaluated] == [
        ("security-groups", "the default security group of the endpoint's VPC is unknown")
    ]
    assert json.loads(report.model_dump_json())["unevaluated"] == [
        {
            "rule": "security-groups",
            "reason": "the default security group of the endpoint's VPC is unknown",
            "read_failed": False,
        }
    ]
