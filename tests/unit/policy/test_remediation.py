"""The remediation plan: merging fixes, Modify's kwargs, and simulating Modify on Describe."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.model import StructureShape
from botocore.validate import validate_parameters
from cvpn_devkit.modify_simulator import apply_plan

from cvpn_guard.endpoint import ClientVpnEndpoint
from cvpn_guard.endpoint_calls import DeleteRoute, LeaveShadowMode, RevokeAccessAll
from cvpn_guard.remediation import EMPTY_PLAN, RemediationPlan
from cvpn_guard.rules.base import Fix
from tests.unit.policy.builders import (
    COMPLIANT_ITEM,
    ENDPOINT_ID,
    FULL_RULES,
    build_policy,
    build_state,
    evaluate_at,
)


def _modify_input() -> StructureShape:
    """botocore's ModifyClientVpnEndpoint request shape: the contract plans are checked against."""
    ec2 = botocore.session.get_session().get_service_model("ec2")
    shape = ec2.operation_model("ModifyClientVpnEndpoint").input_shape
    assert shape is not None
    return shape


MODIFY_INPUT = _modify_input()


def endpoint(**overrides: object) -> ClientVpnEndpoint:
    return ClientVpnEndpoint.from_describe({**COMPLIANT_ITEM, **overrides})


def test_fixes_merge_into_one_plan() -> None:
    # Given fixes from three rules, one disruptive
    plan = RemediationPlan.from_fixes(
        [
            ("split-tunnel", Fix({"SplitTunnel": True})),
            ("vpn-port", Fix({"VpnPort": 443}, disruption="ports move")),
            (
                "security-groups",
                Fix({"SecurityGroupIds": ["sg-0fedcba9876543210"], "VpcId": "vpc-1"}),
            ),
        ]
    )
    # Then the plan carries every parameter, every rule and the disruption
    assert plan.parameters == {
        "SplitTunnel": True,
        "VpnPort": 443,
        "SecurityGroupIds": ["sg-0fedcba9876543210"],
        "VpcId": "vpc-1",
    }
    assert plan.rules == ("split-tunnel", "vpn-port", "security-groups")
    assert plan.disruptive
    assert plan.disruption_reasons == ("ports move",)
    assert not plan.is_empty


def test_no_fixes_is_the_empty_plan() -> None:
    plan = RemediationPlan.from_fixes([])
    assert plan is EMPTY_PLAN
    assert plan.is_empty
    assert not plan.disruptive
    assert plan.rules == ()


def test_other_calls_merge_in_rule_order_once_each_after_the_modify_parameters() -> None:
    # Given a Modify fix and two fixes made of other calls, one call listed twice
    route = DeleteRoute(destination_cidr="0.0.0.0/0", target_subnet="subnet-0123456789abcdef0")
    revoke = RevokeAccessAll(target_network_cidr="0.0.0.0/0")
    plan = RemediationPlan.from_fixes(
        [
            ("split-tunnel", Fix({"SplitTunnel": True})),
            ("routes", Fix({}, disruption="routes go", calls=(route, route))),
            ("authorization", Fix({}, disruption="grants go", calls=(revoke,))),
        ]
    )
    # Then the plan modifies, then makes each call once, in rule order
    assert plan.parameters == {"SplitTunnel": True}
    assert plan.calls == (route, revoke)
    assert plan.modifies
    assert plan.rules == ("split-tunnel", "routes", "authorization")
    assert plan.disruption_reasons == ("routes go", "grants go")


def test_a_plan_of_other_calls_only_is_not_empty_and_makes_no_modify() -> None:
    plan = RemediationPlan.from_fixes(
        [("device-posture", Fix({}, "enforced", calls=(LeaveShadowMode(policy_document="p"),)))]
    )
    assert not plan.is_empty
    assert not plan.modifies
    assert plan.parameters == {}


def test_a_modify_only_plan_has_no_other_calls() -> None:
    plan = RemediationPlan.from_fixes([("vpn-port", Fix({"VpnPort": 443}))])
    assert plan.calls == ()
    assert plan.modifies


def test_plans_with_calls_round_trip_through_json() -> None:
    # Reports, logs and tests serialize plans: every kind of call comes back as itself.
    plan = RemediationPlan.from_fixes(
        [
            (
                "x",
                Fix(
                    {},
                    calls=(
                        RevokeAccessAll(target_network_cidr="0.0.0.0/0"),
                        DeleteRoute(destination_cidr="::/0", target_subnet=None),
                        LeaveShadowMode(policy_document="permit (principal, action, resource);"),
                    ),
                ),
            )
        ]
    )
    assert RemediationPlan.model_validate_json(plan.model_dump_json()) == plan


def test_two_rules_disagreeing_on_a_parameter_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="rules disagree on VpnPort"):
        RemediationPlan.from_fixes([("a", Fix({"VpnPort": 443})), ("b", Fix({"VpnPort": 1194}))])


def test_the_full_policy_plan_is_a_valid_modify_request() -> None:
    # Given an endpoint that breaks every fixable rule
    state = build_state(
        {
            "DisconnectOnSessionTimeout": False,
            "SessionTimeoutHours": 24,
            "ClientLoginBannerOptions": {"Enabled": False},
            "ConnectionLogOptions": {"Enabled": False},
            "SplitTunnel": False,
            "SelfServicePortalUrl": "https://portal",
            "ClientConnectOptions": {"Enabled": False},
            "ClientRouteEnforcementOptions": {"Enforced": False},
            "VpnPort": 1194,
            "DnsServers": ["8.8.8.8"],
            "SecurityGroupIds": ["sg-0000000000000000d"],
        }
    )
    plan = evaluate_at(state, build_policy(FULL_RULES)).plan
    # Then botocore's own validator accepts the Modify call
    validate_parameters({"ClientVpnEndpointId": ENDPOINT_ID, **plan.parameters}, MODIFY_INPUT)
    assert len(plan.rules) == 11


def test_apply_plan_turns_modify_shapes_into_describe_shapes() -> None:
    # Given a plan that touches every parameter whose shape differs between Modify and Describe
    before = endpoint(ClientConnectOptions={"Enabled": False}, SelfServicePortalUrl=None)
    plan = RemediationPlan.from_fixes(
        [
            ("dns", Fix({"DnsServers": {"CustomDnsServers": ["10.0.0.9"], "Enabled": True}})),
            ("portal", Fix({"SelfServicePortal": "enabled"})),
            (
                "handler",
                Fix({"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": "arn:x"}}),
            ),
        ]
    )
    # When it is applied
    after = apply_plan(before, plan)
    # Then Describe's spelling comes back
    assert after.dns_servers == ("10.0.0.9",)
    assert after.self_service_portal_url is not None
    assert ENDPOINT_ID in after.self_service_portal_url
    assert after.client_connect_options is not None
    assert after.client_connect_options.status is not None
    assert after.client_connect_options.status.code == "applied"


def test_apply_plan_disabling_dns_and_portal_removes_them() -> None:
    before = endpoint(SelfServicePortalUrl="https://portal")
    plan = RemediationPlan.from_fixes(
        [
            ("dns", Fix({"DnsServers": {"CustomDnsServers": [], "Enabled": False}})),
            ("portal", Fix({"SelfServicePortal": "disabled"})),
        ]
    )
    after = apply_plan(before, plan)
    assert after.dns_servers is None
    assert after.self_service_portal_url is None


def test_apply_plan_keeps_what_it_does_not_touch_including_unknown_fields() -> None:
    # Given an endpoint with a field this model does not know, and the log context option
    before = ClientVpnEndpoint.from_describe(
        {
            **COMPLIANT_ITEM,
            "FutureField": {"Nested": [1, 2]},
            "ConnectionLogOptions": {"Enabled": False, "IncludeAuthorizationPolicyContext": True},
        }
    )
    plan = RemediationPlan.from_fixes(
        [
            (
                "connection-logging",
                Fix({"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/g"}}),
            )
        ]
    )
    # When the plan is applied
    after = apply_plan(before, plan)
    # Then the unknown field and the untouched option survive
    assert after.to_describe()["FutureField"] == {"Nested": [1, 2]}
    assert after.connection_log_options is not None
    assert after.connection_log_options.include_authorization_policy_context is True
    assert after.connection_log_options.cloudwatch_log_group == "/g"
    assert after.session_timeout_hours == before.session_timeout_hours


def test_apply_the_empty_plan_is_the_same_endpoint() -> None:
    before = endpoint()
    assert apply_plan(before, EMPTY_PLAN) is before


def test_apply_plan_does_not_change_the_original() -> None:
    before = endpoint(VpnPort=1194)
    apply_plan(before, RemediationPlan.from_fixes([("vpn-port", Fix({"VpnPort": 443}))]))
    assert before.vpn_port == 1194
