"""One refused parameter, one failed read: only what depends on it is left out.

AWS refuses a ModifyClientVpnEndpoint as a whole, and any read beyond Describe can fail on its
own (a missing grant, throttling beyond the retries). Either touches only the rules that need
the refused parameter or the missing read: the others are evaluated, fixed and reported as
usual, and the report says what was left out and AWS's answer.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import cvpn_emulator
from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.change_events.handling import RemediationFailed
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.policy import load_policy
from cvpn_guard.sweep import sweep_region
from tests.integration.enforcer.test_fixes_beyond_modify import (
    associated_endpoint,
    destinations,
    route_to_internet,
)
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import REGION, EnforcerWorld

MISSING_GROUP = "/aws/clientvpn/audit"  # no such log group exists in these tests
DENIED = "You are not authorized to perform this operation."


def only_report(world: EnforcerWorld) -> dict[str, Any]:
    """The one endpoint of the one notice sent."""
    (notice,) = world.notices()
    (endpoint,) = json.loads(notice["Message"])["endpoints"]
    result: dict[str, Any] = endpoint
    return result


# --- one refused parameter --------------------------------------------------------------------
THREE_MODIFY_RULES = {
    "session-timeout": {"max_hours": 12},
    "disconnect-on-session-timeout": {"required": True},
    "connection-logging": {"required": True, "log_group": MISSING_GROUP},
}


def drifted_in_three_ways(world: EnforcerWorld) -> str:
    return create_endpoint(world.ec2, SessionTimeoutHours=24, DisconnectOnSessionTimeout=False)


@pytest.mark.server_smoke
def test_a_refused_log_group_leaves_the_session_timeout_fix_applied(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an endpoint breaking three rules of one Modify, one of them (connection logging)
    # into a log group the account does not have
    use_policy(THREE_MODIFY_RULES)
    endpoint_id = drifted_in_three_ways(world)
    event = load_event("modify_endpoint_by_user", endpoint_id)

    # When the event arrives, Then the remediation is incomplete, so the event is kept
    with pytest.raises(RemediationFailed, match="InvalidParameterValue"):
        world.invoke(event)
    # And the two other fixes were applied by a second Modify without the log group
    assert world.modify_calls(endpoint_id) == 2
    described = world.describe(endpoint_id)
    assert described["SessionTimeoutHours"] == 12
    assert described["DisconnectOnSessionTimeout"] is True
    assert described["ConnectionLogOptions"] == {"Enabled": False}
    # And the notice says so: the other rules fixed and changed, the failing finding naming
    # the parameter AWS refused and AWS's message
    report = only_report(world)
    assert report["status"] == "remediation_failed"
    assert sorted(report["fixed_rules"]) == ["disconnect-on-session-timeout", "session-timeout"]
    assert sorted(c["field"] for c in report["changes"]) == [
        "DisconnectOnSessionTimeout",
        "SessionTimeoutHours",
    ]
    fix_errors = {f["rule"]: f["fix_error"] for f in report["findings"]}
    assert fix_errors["session-timeout"] is None
    assert fix_errors["disconnect-on-session-timeout"] is None
    logging_error = fix_errors["connection-logging"]
    assert logging_error.startswith(
        "ModifyClientVpnEndpoint refused ConnectionLogOptions: InvalidParameterValue: "
    )
    assert f"{MISSING_GROUP} does not exist" in logging_error
    assert report["error"].startswith("InvalidParameterValue: ConnectionLogOptions was refused")

    # When Lambda retries the event, Then nothing is modified or notified again
    with pytest.raises(RemediationFailed):
        world.invoke(event)
    assert world.modify_calls(endpoint_id) == 2
    assert world.notices() == []


def test_once_the_log_group_exists_the_next_change_fixes_logging_too(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given the incomplete remediation above, then the log group created
    use_policy(THREE_MODIFY_RULES)
    endpoint_id = drifted_in_three_ways(world)
    with pytest.raises(RemediationFailed):
        world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    world.notices()
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName=MISSING_GROUP)

    # When the next change arrives, Then connection logging is fixed in one Modify
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id, event_id="next"))
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["connection-logging"]
    assert world.modify_calls(endpoint_id) == 3
    assert world.describe(endpoint_id)["ConnectionLogOptions"]["CloudwatchLogGroup"] == (
        MISSING_GROUP
    )


def test_a_request_refused_again_without_the_named_parameter_fails_as_a_whole(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given AWS refuses every Modify of the endpoint, naming the log group each time
    use_policy(THREE_MODIFY_RULES)
    endpoint_id = drifted_in_three_ways(world)
    world.faults.inject_error(
        "ModifyClientVpnEndpoint",
        "InvalidParameterValue",
        times=None,
        message="The log group does not exist.",
        endpoint_id=endpoint_id,
    )

    # When the event arrives, Then one second Modify is tried, and no third
    with pytest.raises(RemediationFailed):
        world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert world.modify_calls(endpoint_id) == 2
    # And nothing changed: the endpoint fails as a whole, with both of AWS's answers
    assert world.describe(endpoint_id)["SessionTimeoutHours"] == 24
    report = only_report(world)
    assert report["status"] == "remediation_failed"
    assert report["fixed_rules"] == []
    assert report["changes"] == []
    assert "sent again without ConnectionLogOptions" in report["error"]
    assert {f["fix_error"] for f in report["findings"]} == {None}


# --- one failed read --------------------------------------------------------------------------
def test_a_denied_describe_client_vpn_connections_leaves_every_other_rule_evaluated(
    world: EnforcerWorld,
) -> None:
    # Given a drifted endpoint whose fix is disruptive (it counts the users it touches), and
    # DescribeClientVpnConnections denied
    endpoint_id = create_endpoint(
        world.ec2, **{**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    )
    world.faults.seed_connections(endpoint_id, 3)
    world.faults.inject_error(
        "DescribeClientVpnConnections", "UnauthorizedOperation", times=None, message=DENIED
    )

    # When a user's change arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then every rule is evaluated and the fix is made: counting users only informs
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["disconnect-on-session-timeout"]
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    # And the notice says the users could not be counted, and why
    report = only_report(world)
    assert report["unevaluated"] == []
    assert report["users_affected"] is None
    assert report["users_not_counted"] == (
        f"DescribeClientVpnConnections failed: UnauthorizedOperation ({DENIED})"
    )


def endpoint_reading_everything(world: EnforcerWorld) -> str:
    """A drifted endpoint with a VPC and a target network: every extra read has its input."""
    endpoint_id, _ = associated_endpoint(world, DisconnectOnSessionTimeout=False)
    return endpoint_id


# What the endpoint breaks besides its Modify rule (both only reported).
BROKEN_BY_THE_ENDPOINT = {"security-groups", "certificate-revocation"}
# One rule per extra read, and one Modify rule to fix.
RULES_OF_EVERY_READ = {
    "disconnect-on-session-timeout": {"required": True},
    "authorization": {"forbid_access_all": True},
    "security-groups": {"forbid_default": True},
    "routes": {},
    "device-posture": {"require_authorization_policy": False, "forbid_shadow_mode": True},
    "certificate-revocation": {"required": True},
}


@pytest.mark.parametrize(
    ("operation", "code", "rule"),
    [
        ("DescribeClientVpnAuthorizationRules", "UnauthorizedOperation", "authorization"),
        ("DescribeSecurityGroups", "UnauthorizedOperation", "security-groups"),
        ("DescribeClientVpnRoutes", "UnauthorizedOperation", "routes"),
        ("GetClientVpnEndpointAuthorizationPolicy", "UnauthorizedOperation", "device-posture"),
        (
            "ExportClientVpnClientCertificateRevocationList",
            "UnauthorizedOperation",
            "certificate-revocation",
        ),
        pytest.param(
            "DescribeClientVpnRoutes", "RequestLimitExceeded", "routes", id="throttled-for-good"
        ),
    ],
)
def test_a_failed_read_leaves_only_the_rules_that_need_it_unevaluated(
    world: EnforcerWorld, use_policy: Any, operation: str, code: str, rule: str
) -> None:
    # Given a policy with a rule for each extra read, and one of the reads failing for good
    use_policy(RULES_OF_EVERY_READ)
    endpoint_id = endpoint_reading_everything(world)
    world.faults.inject_error(operation, code, times=None, message="read refused")

    # When a change arrives, Then the run does not raise and the Modify rule is fixed
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert result["fixed_rules"] == ["disconnect-on-session-timeout"]
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    # And only the rule that needs the failed read is unevaluated, with the call and AWS's code
    report = only_report(world)
    assert report["unevaluated"] == [
        {"rule": rule, "reason": f"{operation} failed: {code} (read refused)", "read_failed": True}
    ]
    # And every other rule was evaluated: the endpoint's default security group and missing
    # revocation list are found unless their own read failed
    found = {f["rule"] for f in report["findings"]}
    assert found == {"disconnect-on-session-timeout", *BROKEN_BY_THE_ENDPOINT} - {rule}


class _RoutesDeniedAfterDeletion:
    """The real Client VPN operations, until a route is deleted: from then on AWS refuses
    DescribeClientVpnRoutes (a grant removed meanwhile, say)."""

    def __init__(self, api: ClientVpnApi) -> None:
        self._api = api

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    def delete_route(self, *args: Any) -> None:
        self._api.delete_route(*args)
        cvpn_emulator.inject_error(
            "DescribeClientVpnRoutes", "UnauthorizedOperation", times=None, message=DENIED
        )


def test_a_change_that_cannot_be_read_again_is_not_counted_as_fixed(
    in_process_world: EnforcerWorld,
) -> None:
    # Given an endpoint breaking a Modify rule and routing 0.0.0.0/0, and the routes read
    # refused once the route is deleted
    world = in_process_world
    endpoint_id, subnet_id = associated_endpoint(world, DisconnectOnSessionTimeout=False)
    route_to_internet(world, endpoint_id, subnet_id)
    policy = load_policy(
        json.dumps(
            {
                "version": 1,
                "mode": "enforce",
                "rules": {
                    "disconnect-on-session-timeout": {"required": True},
                    "routes": {"remove_forbidden": True},
                },
            }
        )
    )

    # When the region is swept
    outcome = sweep_region(
        _RoutesDeniedAfterDeletion(ClientVpnApi(world.ec2)),
        policy,
        account="123456789012",
        region=REGION,
        locks=InMemoryState(),
    )

    # Then the sweep goes on (no error entry), both changes were made, and only the Modify's
    # rule counts as fixed: the deletion could not be verified, and the report says why
    assert outcome.errors == []
    world.faults.clear_faults()
    assert destinations(world, endpoint_id) == ["10.0.0.0/16"]
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    (report,) = outcome.endpoints
    assert str(report.status) == "remediation_failed"
    assert report.fixed_rules == ("disconnect-on-session-timeout",)
    assert report.error == (
        "ChangeNotVerified: the calls succeeded but what they changed could not be read again: "
        f"routes: DescribeClientVpnRoutes failed: UnauthorizedOperation ({DENIED})"
    )
