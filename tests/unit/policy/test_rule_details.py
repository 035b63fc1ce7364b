"""The finer points of each rule: AWS defaults, unknown values, partial fixes, switches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.endpoint_calls import RevokeAccessAll
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import Severity
from cvpn_guard.rules import rule_ids
from tests.unit.policy.builders import (
    AUTHORIZATION_POLICY,
    BANNER,
    DEFAULT_SG,
    ENDPOINT_ID,
    FULL_RULES,
    GOOD_SG,
    HANDLER,
    NOW,
    OTHER_HANDLER,
    SUBNET,
    build_policy,
    build_state,
    evaluate_at,
)


# --- disconnect-on-session-timeout -------------------------------------------------------
def test_missing_disconnect_on_session_timeout_is_not_compliant() -> None:
    # Given an endpoint described by an SDK that predates DisconnectOnSessionTimeout
    state = build_state(drop=("DisconnectOnSessionTimeout",))
    # When the rule requires it
    evaluation = evaluate_at(state, build_policy({"disconnect-on-session-timeout": {}}))
    # Then unknown is not "true": it is a finding, fixed by setting it explicitly
    (finding,) = evaluation.findings
    assert finding.actual is None
    assert "not reported" in finding.message
    assert evaluation.plan.parameters == {"DisconnectOnSessionTimeout": True}


def test_disconnect_rule_with_required_false_is_not_checked() -> None:
    # Given required: false
    policy = build_policy({"disconnect-on-session-timeout": {"required": False}})
    # When an endpoint with the setting off is evaluated
    evaluation = evaluate_at(build_state({"DisconnectOnSessionTimeout": False}), policy)
    # Then the rule is not even checked
    assert evaluation.status is EndpointStatus.COMPLIANT
    assert evaluation.rules_checked == ()


# --- session-timeout -------------------------------------------------------------------------
def test_missing_session_timeout_counts_as_awss_default_24_hours() -> None:
    # Given an endpoint that reports no SessionTimeoutHours
    state = build_state(drop=("SessionTimeoutHours",))
    # When at most 12 hours are allowed
    evaluation = evaluate_at(state, build_policy({"session-timeout": {"max_hours": 12}}))
    # Then it is 24 hours, too long, lowered to 12
    (finding,) = evaluation.findings
    assert finding.actual == 24
    assert "AWS's default" in finding.message
    assert evaluation.plan.parameters == {"SessionTimeoutHours": 12}


@pytest.mark.parametrize(("max_hours", "target"), [(8, 8), (9, 8), (11, 10), (12, 12), (23, 12)])
def test_session_timeout_is_lowered_to_the_largest_value_aws_accepts(
    max_hours: int, target: int
) -> None:
    # Given a 24-hour endpoint and a maximum AWS does not offer exactly
    policy = build_policy({"session-timeout": {"max_hours": max_hours}})
    # When it is evaluated
    evaluation = evaluate_at(build_state({"SessionTimeoutHours": 24}), policy)
    # Then the fix is the largest of 8|10|12|24 not above the maximum, and disruptive
    assert evaluation.plan.parameters == {"SessionTimeoutHours": target}
    assert "disconnects sessions older than" in evaluation.plan.disruption_reasons[0]


def test_session_timeout_max_above_24_accepts_every_endpoint() -> None:
    policy = build_policy({"session-timeout": {"max_hours": 48}})
    assert evaluate_at(build_state({"SessionTimeoutHours": 24}), policy).findings == ()


def test_session_timeout_below_the_maximum_is_compliant() -> None:
    policy = build_policy({"session-timeout": {"max_hours": 12}})
    assert evaluate_at(build_state({"SessionTimeoutHours": 8}), policy).findings == ()


# --- login-banner ----------------------------------------------------------------------------
def test_banner_with_other_text_is_replaced_by_the_approved_text() -> None:
    # Given a banner that is on but says something else
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "Hi"}})
    # When it is evaluated
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    # Then the text differs, and the fix sends the complete structure
    assert "differs" in evaluation.findings[0].message
    assert evaluation.plan.parameters == {
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}
    }
    assert not evaluation.plan.disruptive


def test_banner_text_is_compared_exactly() -> None:
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER + " "}})
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    assert evaluation.violated_rules == ("login-banner",)


def test_banner_without_text_in_policy_accepts_any_text() -> None:
    state = build_state({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "Other"}})
    assert evaluate_at(state, build_policy({"login-banner": {}})).findings == ()


def test_disabled_banner_without_text_in_policy_is_reported_not_fixed() -> None:
    # Given a policy that requires a banner but gives no text
    state = build_state({"ClientLoginBannerOptions": {"Enabled": False}})
    # When it is evaluated
    evaluation = evaluate_at(state, build_policy({"login-banner": {"required": True}}))
    # Then it is reported, not remediable: AWS turns a banner on only with its text
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_missing_banner_options_are_a_disabled_banner() -> None:
    state = build_state(drop=("ClientLoginBannerOptions",))
    evaluation = evaluate_at(state, build_policy({"login-banner": {"text": BANNER}}))
    assert evaluation.findings[0].actual == {"Enabled": None, "BannerText": None}


# --- connection-logging ----------------------------------------------------------------------
def test_logging_to_another_group_is_moved_to_the_policys_group() -> None:
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/other",
                "CloudwatchLogStream": "s",
            }
        }
    )
    evaluation = evaluate_at(
        state, build_policy({"connection-logging": {"log_group": "/aws/clientvpn"}})
    )
    # The old stream belongs to the old group: it is not carried over
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/aws/clientvpn"}
    }


def test_logging_fix_keeps_settings_the_policy_does_not_govern() -> None:
    # Given logging switched off, with a stream in the right group and the context option set
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": False,
                "CloudwatchLogGroup": "/aws/clientvpn",
                "CloudwatchLogStream": "eng",
                "IncludeAuthorizationPolicyContext": True,
            }
        }
    )
    # When it is evaluated
    evaluation = evaluate_at(
        state, build_policy({"connection-logging": {"log_group": "/aws/clientvpn"}})
    )
    # Then Modify's whole-structure replacement keeps the stream and the option
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "eng",
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_logging_to_the_wrong_stream_is_fixed_with_the_policys_stream() -> None:
    policy = build_policy(
        {"connection-logging": {"log_group": "/aws/clientvpn", "log_stream": "all"}}
    )
    evaluation = evaluate_at(build_state(), policy)
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "all",
            # Not governed by this policy, so carried over (Modify replaces the structure).
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_logging_without_log_group_in_policy_is_report_only() -> None:
    state = build_state(drop=("ConnectionLogOptions",))
    evaluation = evaluate_at(state, build_policy({"connection-logging": {}}))
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_authorization_policy_context_alone_is_fixed_keeping_group_and_stream() -> None:
    # Given an endpoint logging to its own group without the policy context
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/team",
                "CloudwatchLogStream": "s",
            }
        }
    )
    # When the policy names no group but wants the context
    policy = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    evaluation = evaluate_at(state, policy)
    # Then the finding says so, and the fix keeps the team's group and stream
    (finding,) = evaluation.findings
    assert "evaluation context" in finding.message
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/team",
            "CloudwatchLogStream": "s",
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_missing_authorization_policy_context_reads_as_not_included() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/g"}})
    wants = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    refuses = build_policy({"connection-logging": {"include_authorization_policy_context": False}})
    assert evaluate_at(state, wants).violated_rules == ("connection-logging",)
    assert evaluate_at(state, refuses).findings == ()


def test_context_without_logging_on_and_without_group_is_report_only() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": False}})
    policy = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    evaluation = evaluate_at(state, policy)
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_logging_to_any_group_satisfies_a_policy_without_group() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/x"}})
    assert evaluate_at(state, build_policy({"connection-logging": {}})).findings == ()


# --- split-tunnel ----------------------------------------------------------------------------
def test_split_tunnel_false_requires_full_tunnel() -> None:
    policy = build_policy({"split-tunnel": {"required": False}})
    evaluation = evaluate_at(build_state({"SplitTunnel": True}), policy)
    assert evaluation.plan.parameters == {"SplitTunnel": False}
    assert not evaluation.plan.disruptive


def test_missing_split_tunnel_is_awss_default_off() -> None:
    policy = build_policy({"split-tunnel": {"required": False}})
    assert evaluate_at(build_state(drop=("SplitTunnel",)), policy).findings == ()


# --- self-service-portal ---------------------------------------------------------------------
def test_portal_allowed_is_not_checked() -> None:
    state = build_state({"SelfServicePortalUrl": "https://self-service.example"})
    policy = build_policy({"self-service-portal": {"allowed": True}})
    assert evaluate_at(state, policy).rules_checked == ()


# --- client-connect-handler ------------------------------------------------------------------
def test_handler_running_another_function_is_switched_to_the_first_allowed() -> None:
    # Given a handler that runs a function the policy does not list
    state = build_state(
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": OTHER_HANDLER}}
    )
    # When it is evaluated
    evaluation = evaluate_at(
        state, build_policy({"client-connect-handler": {"allowed_functions": [HANDLER]}})
    )
    # Then the fix switches it to the first allowed function
    assert OTHER_HANDLER in evaluation.findings[0].message
    assert evaluation.plan.parameters == {
        "ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": HANDLER}
    }


def test_handler_without_allowed_functions_accepts_any_and_reports_a_missing_one() -> None:
    policy = build_policy({"client-connect-handler": {}})
    other = build_state(
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": OTHER_HANDLER}}
    )
    assert evaluate_at(other, policy).findings == ()
    off = evaluate_at(build_state(drop=("ClientConnectOptions",)), policy)
    assert not off.findings[0].remediable
    assert off.plan.is_empty


# --- client-route-enforcement / vpn-port / transport-protocol --------------------------------
def test_missing_route_enforcement_options_are_not_enforced() -> None:
    evaluation = evaluate_at(
        build_state(drop=("ClientRouteEnforcementOptions",)),
        build_policy({"client-route-enforcement": {}}),
    )
    assert evaluation.plan.parameters == {"ClientRouteEnforcementOptions": {"Enforced": True}}


def test_missing_vpn_port_is_awss_default_443() -> None:
    policy = build_policy({"vpn-port": {"allowed": [1194]}})
    evaluation = evaluate_at(build_state(drop=("VpnPort",)), policy)
    assert evaluation.findings[0].actual == 443
    assert evaluation.plan.parameters == {"VpnPort": 1194}


def test_missing_transport_protocol_is_awss_default_udp() -> None:
    policy = build_policy({"transport-protocol": {"allowed": ["tcp"]}})
    evaluation = evaluate_at(build_state(drop=("TransportProtocol",)), policy)
    assert evaluation.findings[0].actual == "udp"
    assert "recreated" in evaluation.findings[0].message


# --- authentication --------------------------------------------------------------------------
def test_every_configured_authentication_type_must_be_allowed() -> None:
    # Given an endpoint with two authentication options, one of them not allowed
    state = build_state(
        {
            "AuthenticationOptions": [
                {"Type": "federated-authentication"},
                {"Type": "certificate-authentication"},
            ]
        }
    )
    evaluation = evaluate_at(
        state, build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    )
    # Then the refused type is named
    assert "certificate-authentication" in evaluation.findings[0].message
    both = build_policy(
        {
            "authentication": {
                "allowed_types": ["federated-authentication", "certificate-authentication"]
            }
        }
    )
    assert evaluate_at(state, both).findings == ()


def test_an_endpoint_reporting_no_authentication_is_a_finding() -> None:
    policy = build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    evaluation = evaluate_at(build_state(drop=("AuthenticationOptions",)), policy)
    assert "no authentication option" in evaluation.findings[0].message


def test_an_unknown_future_authentication_type_is_not_allowed() -> None:
    policy = build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    state = build_state({"AuthenticationOptions": [{"Type": "passkey-authentication"}]})
    assert evaluate_at(state, policy).violated_rules == ("authentication",)


# --- dns-servers -----------------------------------------------------------------------------
def test_dns_servers_are_not_remediated_by_default() -> None:
    # Given dns-servers without remediate (it resets every connection)
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2"]}})
    evaluation = evaluate_at(build_state({"DnsServers": ["8.8.8.8"]}), policy)
    # Then it is reported, not planned, and the disruption is told
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive
    assert evaluation.plan.is_empty


def test_an_endpoint_without_dns_servers_breaks_the_rule() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2", "10.0.0.3"], "remediate": True}})
    evaluation = evaluate_at(build_state(drop=("DnsServers",)), policy)
    assert evaluation.plan.parameters == {
        "DnsServers": {"CustomDnsServers": ["10.0.0.2", "10.0.0.3"], "Enabled": True}
    }


def test_a_subset_of_the_allowed_dns_servers_is_compliant() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2", "10.0.0.3"]}})
    assert evaluate_at(build_state({"DnsServers": ["10.0.0.3"]}), policy).findings == ()


def test_ipv6_dns_servers_compare_in_canonical_form() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["2001:DB8:0:0::53"]}})
    assert evaluate_at(build_state({"DnsServers": ["2001:db8::53"]}), policy).findings == ()


# --- authorization ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "violates"),
    [("active", True), ("authorizing", True), ("failed", True), ("revoking", False)],
)
def test_access_all_rules_count_unless_being_revoked(status: str, violates: bool) -> None:
    rule = {"AccessAll": True, "DestinationCidr": "10.0.0.0/8", "Status": {"Code": status}}
    evaluation = evaluate_at(
        build_state(authorization_rules=(rule,)), build_policy({"authorization": {}})
    )
    assert bool(evaluation.findings) is violates


def test_group_based_authorization_rules_are_compliant() -> None:
    rule = {"AccessAll": False, "GroupId": "eng", "DestinationCidr": "0.0.0.0/0"}
    evaluation = evaluate_at(
        build_state(authorization_rules=(rule,)), build_policy({"authorization": {}})
    )
    assert evaluation.findings == ()


def test_authorization_reports_access_all_rules_by_default_and_revokes_only_when_told() -> None:
    # Given two access-all rules for the same CIDR (AWS keeps one per CIDR; a stale read may not)
    rule = {"AccessAll": True, "DestinationCidr": "0.0.0.0/0", "Status": {"Code": "active"}}
    state = build_state(authorization_rules=(rule, rule))
    # When the rule has its defaults, Then it reports (telling the fix would be disruptive)
    (finding,) = evaluate_at(state, build_policy({"authorization": {}})).findings
    assert not finding.remediable
    assert finding.disruptive
    # When revoke_access_all is true, Then the CIDR's access-all rule is revoked once
    policy = build_policy({"authorization": {"revoke_access_all": True}})
    plan = evaluate_at(state, policy).plan
    assert plan.calls == (RevokeAccessAll(target_network_cidr="0.0.0.0/0"),)
    assert plan.parameters == {}
    # And revoke_access_all with remediate: false only reports
    quiet = build_policy({"authorization": {"revoke_access_all": True, "remediate": False}})
    assert evaluate_at(state, quiet).plan.is_empty


def test_authorization_forbid_access_all_false_is_not_checked() -> None:
    rule = {"AccessAll": True, "DestinationCidr": "0.0.0.0/0"}
    policy = build_policy({"authorization": {"forbid_access_all": False}})
    assert evaluate_at(build_state(authorization_rules=(rule,)), policy).rules_checked == ()


# --- security-groups -------------------------------------------------------------------------
def test_unknown_default_security_group_makes_the_rule_unevaluated_not_violated() -> None:
    # Given the adapter could not tell the VPC's default security group
    state = build_state({"SecurityGroupIds": [DEFAULT_SG]}, default_security_group_ids=None)
    # When it is evaluated
    evaluation = evaluate_at(state, build_policy({"security-groups": {}}))
    # Then no violation is invented, and the gap is visible
    assert evaluation.status is EndpointStatus.COMPLIANT
    (unevaluated,) = evaluation.unevaluated
    assert unevaluated.rule == "security-groups"
    assert "unknown" in unevaluated.reason


def test_security_groups_without_replacement_are_report_only() -> None:
    state = build_state({"SecurityGroupIds": [DEFAULT_SG, GOOD_SG]})
    evaluation = evaluate_at(state, build_policy({"security-groups": {}}))
    assert not evaluation.findings[0].remediable
    assert DEFAULT_SG in evaluation.findings[0].message


def test_security_groups_replacement_that_is_the_default_group_is_not_planned() -> None:
    # Given a replacement that happens to be this VPC's default group (never converges)
    policy = build_policy({"security-groups": {"replacement_group_ids": [GOOD_SG]}})
    state = build_state({"SecurityGroupIds": [GOOD_SG]}, default_security_group_ids=(GOOD_SG,))
    evaluation = evaluate_at(state, policy)
    assert not evaluation.findings[0].remediable
    assert evaluation.plan.is_empty


def test_security_groups_without_vpc_id_cannot_be_replaced() -> None:
    policy = build_policy({"security-groups": {"replacement_group_ids": [GOOD_SG]}})
    state = build_state({"SecurityGroupIds": [DEFAULT_SG]}, drop=("VpcId",))
    assert evaluate_at(state, policy).plan.is_empty


# --- required-tags ---------------------------------------------------------------------------
def test_required_tag_keys_are_case_sensitive() -> None:
    state = build_state(
        {"Tags": [{"Key": "Owner", "Value": "x"}, {"Key": "cost-center", "Value": "1"}]}
    )
    evaluation = evaluate_at(state, build_policy({"required-tags": {"keys": ["owner"]}}))
    assert "owner" in evaluation.findings[0].message


def test_a_required_tag_with_an_empty_value_is_present() -> None:
    state = build_state({"Tags": [{"Key": "owner", "Value": ""}]})
    assert evaluate_at(state, build_policy({"required-tags": {"keys": ["owner"]}})).findings == ()


def test_an_endpoint_without_tags_lacks_every_required_tag() -> None:
    state = build_state(drop=("Tags",))
    evaluation = evaluate_at(
        state, build_policy({"required-tags": {"keys": ["owner", "cost-center"]}})
    )
    assert "owner, cost-center" in evaluation.findings[0].message


# --- exemptions ------------------------------------------------------------------------------
def test_exemption_without_rules_spares_every_rule() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}, "vpn-port": {"allowed": [443]}},
        exemptions=[{"endpoint_id": ENDPOINT_ID, "reason": "appliance"}],
    )
    evaluation = evaluate_at(build_state({"SplitTunnel": False, "VpnPort": 1194}), policy)
    assert evaluation.status is EndpointStatus.EXEMPT
    assert [e.finding.rule for e in evaluation.exempted] == ["split-tunnel", "vpn-port"]
    assert evaluation.plan.is_empty


def test_exemption_of_one_rule_leaves_the_others_enforced() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}, "vpn-port": {"allowed": [443]}},
        exemptions=[{"endpoint_id": ENDPOINT_ID, "rules": ["split-tunnel"], "reason": "SEC-1"}],
    )
    evaluation = evaluate_at(build_state({"SplitTunnel": False, "VpnPort": 1194}), policy)
    assert evaluation.status is EndpointStatus.NON_COMPLIANT
    assert evaluation.violated_rules == ("vpn-port",)
    assert evaluation.plan.parameters == {"VpnPort": 443}


def test_exemption_of_another_endpoint_does_not_apply() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[
            {
                "endpoint_id": "cvpn-endpoint-0aaaaaaaaaaaaaaaa",
                "reason": "x",
                "expires": "2020-01-01",
            }
        ],
    )
    evaluation = evaluate_at(build_state({"SplitTunnel": False}), policy)
    # Neither spared nor reported as expired: it is about another endpoint
    assert evaluation.violated_rules == ("split-tunnel",)


def test_exemption_of_a_compliant_endpoint_leaves_it_compliant() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"endpoint_id": ENDPOINT_ID, "reason": "x"}],
    )
    assert evaluate_at(build_state(), policy).status is EndpointStatus.COMPLIANT


def test_an_exemption_is_valid_through_its_last_day_in_utc() -> None:
    # Given an exemption whose last day is 2026-06-01
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"endpoint_id": ENDPOINT_ID, "reason": "x", "expires": "2026-06-01"}],
    )
    state = build_state({"SplitTunnel": False})
    last_minute = datetime(2026, 6, 1, 23, 59, tzinfo=UTC)
    # Then it applies until midnight UTC, even when "now" is given in another zone
    assert evaluate_at(state, policy, last_minute).status is EndpointStatus.EXEMPT
    tokyo = timezone(timedelta(hours=9))
    assert (
        evaluate_at(state, policy, datetime(2026, 6, 2, 8, 0, tzinfo=tokyo)).status
        is EndpointStatus.EXEMPT
    )
    assert (
        evaluate_at(state, policy, last_minute + timedelta(minutes=1)).status
        is EndpointStatus.NON_COMPLIANT
    )
    # And a naive "now" is taken as UTC
    assert (
        evaluate_at(state, policy, datetime(2026, 6, 2, 0, 1)).status
        is EndpointStatus.NON_COMPLIANT
    )


def test_an_expired_exemption_is_reported_even_when_the_endpoint_complies() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"endpoint_id": ENDPOINT_ID, "reason": "SEC-9", "expires": "2026-01-01"}],
    )
    evaluation = evaluate_at(build_state(), policy)
    assert evaluation.violated_rules == ("exemption-expired",)
    assert "SEC-9" in evaluation.findings[0].message


@pytest.mark.parametrize("allow", [True, False])
def test_tag_exemptions_are_honored_only_when_the_policy_allows_them(allow: bool) -> None:
    # Given an endpoint tagged for exemption
    state = build_state(
        {"SplitTunnel": False, "Tags": [{"Key": "cvpn-guard:exempt", "Value": "yes"}]}
    )
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"tag": {"key": "cvpn-guard:exempt"}}],
        allow_tag_exemptions=allow,
    )
    # When it is evaluated
    evaluation = evaluate_at(state, policy)
    # Then the tag spares it only when allow_tag_exemptions is true
    expected = EndpointStatus.EXEMPT if allow else EndpointStatus.NON_COMPLIANT
    assert evaluation.status is expected
    if allow:
        assert "tag cvpn-guard:exempt" in evaluation.exempted[0].exemption_reason


def test_tag_exemption_with_a_value_needs_that_value() -> None:
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"tag": {"key": "tier", "value": "lab"}, "reason": "lab endpoints"}],
        allow_tag_exemptions=True,
    )
    lab = build_state({"SplitTunnel": False, "Tags": [{"Key": "tier", "Value": "lab"}]})
    prod = build_state({"SplitTunnel": False, "Tags": [{"Key": "tier", "Value": "prod"}]})
    assert evaluate_at(lab, policy).status is EndpointStatus.EXEMPT
    assert evaluate_at(prod, policy).status is EndpointStatus.NON_COMPLIANT


def test_expired_tag_exemption_is_not_reported_when_tag_exemptions_are_off() -> None:
    state = build_state({"Tags": [{"Key": "tier", "Value": "lab"}]})
    policy = build_policy(
        {"split-tunnel": {"required": True}},
        exemptions=[{"tag": {"key": "tier"}, "expires": "2020-01-01"}],
    )
    assert evaluate_at(state, policy).findings == ()


# --- the whole evaluation --------------------------------------------------------------------
def test_full_policy_on_a_compliant_endpoint_is_compliant() -> None:
    evaluation = evaluate_at(build_state(), build_policy(FULL_RULES))
    assert evaluation.status is EndpointStatus.COMPLIANT
    assert evaluation.max_severity is None
    assert evaluation.rules_checked == rule_ids()


def test_findings_follow_rule_order_and_max_severity_is_the_worst() -> None:
    # Given an endpoint that breaks a low, a medium and a high rule
    state = build_state(
        {"VpnPort": 1194, "SplitTunnel": False, "DisconnectOnSessionTimeout": False}
    )
    # When it is evaluated with the full policy
    evaluation = evaluate_at(state, build_policy(FULL_RULES))
    # Then the findings come in the schema's rule order, and the worst severity is high
    assert evaluation.violated_rules == (
        "disconnect-on-session-timeout",
        "split-tunnel",
        "vpn-port",
    )
    assert evaluation.max_severity is Severity.HIGH
    # And the one plan fixes all three, and is disruptive for two reasons
    assert evaluation.plan.rules == evaluation.violated_rules
    assert len(evaluation.plan.disruption_reasons) == 2
    assert evaluation.endpoint_id == ENDPOINT_ID


def test_evaluation_at_now_default_is_deterministic() -> None:
    assert evaluate_at(build_state(), build_policy(FULL_RULES), NOW) == evaluate_at(
        build_state(), build_policy(FULL_RULES), NOW
    )


# ---- client-connect-handler: the handler must live in the endpoint's account and region ---

EU_HANDLER = "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-eu"
US_HANDLER = "arn:aws:lambda:us-east-1:123456789012:function:AWSClientVPN-us"
OTHER_ACCOUNT_HANDLER = "arn:aws:lambda:eu-west-1:210987654321:function:AWSClientVPN-eu"


def _handler_off_in(region: str, account: str = "123456789012") -> EndpointState:
    state = build_state({"ClientConnectOptions": {"Enabled": False}})
    return state.model_copy(update={"account": account, "region": region})


@pytest.mark.parametrize(
    ("region", "expected"), [("eu-west-1", EU_HANDLER), ("us-east-1", US_HANDLER)]
)
def test_connect_handler_fix_uses_the_function_in_the_endpoints_region(
    region: str, expected: str
) -> None:
    # Given handlers allowed in two regions, the first listed in another region
    functions = [US_HANDLER, EU_HANDLER] if region == "eu-west-1" else [EU_HANDLER, US_HANDLER]
    policy = build_policy({"client-connect-handler": {"allowed_functions": functions}})

    # When an endpoint of that region without a handler is evaluated
    evaluation = evaluate_at(_handler_off_in(region), policy)

    # Then the fix names the function AWS accepts there
    connect = evaluation.plan.parameters["ClientConnectOptions"]
    assert connect == {"Enabled": True, "LambdaFunctionArn": expected}


def test_connect_handler_without_a_function_in_the_endpoints_location_is_only_reported() -> None:
    # Given the only allowed functions are in another region or another account
    policy = build_policy(
        {"client-connect-handler": {"allowed_functions": [US_HANDLER, OTHER_ACCOUNT_HANDLER]}}
    )

    # When an eu-west-1 endpoint of account 123456789012 is evaluated
    evaluation = evaluate_at(_handler_off_in("eu-west-1"), policy)

    # Then the finding stands, is not remediable, and no Modify is planned
    (finding,) = evaluation.findings
    assert finding.rule == "client-connect-handler"
    assert not finding.remediable
    assert evaluation.plan.is_empty
    assert "123456789012/eu-west-1" in finding.message


# --- routes ----------------------------------------------------------------------------------
def _route(
    cidr: str, target: str = SUBNET, origin: str = "add-route", code: str = "active"
) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "DestinationCidr": cidr,
        "TargetSubnet": target,
        "Origin": origin,
        "Status": {"Code": code},
    }


def test_routes_report_by_default_and_delete_only_when_told() -> None:
    # Given a route to the internet, and the rule with its defaults
    state = build_state(routes=(_route("0.0.0.0/0"),))
    evaluation = evaluate_at(state, build_policy({"routes": {}}))
    # Then it is reported, not remediable, nothing planned (but the disruption is told)
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive
    assert evaluation.plan.is_empty


@pytest.mark.parametrize(
    ("cidr", "forbidden"),
    [("0.0.0.0/0", True), ("::/0", True), ("0.0.0.0/1", False), ("10.0.0.0/16", False)],
)
def test_a_route_is_forbidden_when_it_covers_a_forbidden_destination(
    cidr: str, forbidden: bool
) -> None:
    state = build_state(routes=(_route(cidr),))
    evaluation = evaluate_at(state, build_policy({"routes": {}}))
    assert bool(evaluation.findings) is forbidden


def test_a_wider_route_covers_a_forbidden_network() -> None:
    state = build_state(routes=(_route("10.0.0.0/8"),))
    policy = build_policy({"routes": {"forbidden_destinations": ["10.9.0.0/16"]}})
    assert evaluate_at(state, policy).violated_rules == ("routes",)


def test_an_exception_spares_exactly_its_destination_and_target() -> None:
    other = "subnet-0aaaaaaaaaaaaaaaa"
    state = build_state(routes=(_route("0.0.0.0/0"), _route("0.0.0.0/0", other)))
    policy = build_policy(
        {
            "routes": {
                "allowed_exceptions": [{"destination": "0.0.0.0/0", "target": SUBNET}],
                "remove_forbidden": True,
            }
        }
    )
    evaluation = evaluate_at(state, policy)
    (finding,) = evaluation.findings
    assert finding.actual == [
        {"DestinationCidr": "0.0.0.0/0", "Target": other, "Origin": "add-route", "Status": "active"}
    ]
    assert [call.target_subnet for call in evaluation.plan.calls] == [other]  # type: ignore[union-attr]


def test_routes_being_deleted_are_gone_already() -> None:
    state = build_state(routes=(_route("0.0.0.0/0", code="deleting"),))
    assert evaluate_at(state, build_policy({"routes": {}})).findings == ()


def test_a_route_an_association_added_is_reported_never_half_fixed() -> None:
    # Given two forbidden routes, one added by an association (AWS refuses to delete it)
    state = build_state(routes=(_route("0.0.0.0/0"), _route("::/0", origin="associate")))
    evaluation = evaluate_at(state, build_policy({"routes": {"remove_forbidden": True}}))
    # Then nothing is deleted: deleting one would not bring the endpoint into compliance
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_routes_not_read_are_not_evaluated() -> None:
    evaluation = evaluate_at(build_state(routes=None), build_policy({"routes": {}}))
    assert evaluation.findings == ()
    assert [rule.rule for rule in evaluation.unevaluated] == ["routes"]


def test_routes_remediate_true_needs_remove_forbidden() -> None:
    with pytest.raises(PolicyError, match="remove_forbidden: true"):
        build_policy({"routes": {"remediate": True}})


# --- device-posture --------------------------------------------------------------------------
SHADOWED = {**AUTHORIZATION_POLICY, "ShadowMode": "enabled"}


def test_device_posture_without_options_wants_a_policy_in_force() -> None:
    # Given an endpoint whose Get answers with its id only (no policy), DevicePostureOptions
    # absent (AWS's default: no trust providers)
    state = build_state(
        drop=("DevicePostureOptions",),
        authorization_policy={"ClientVpnEndpointId": ENDPOINT_ID},
    )
    # When the rule has its defaults (no provider required)
    (finding,) = evaluate_at(state, build_policy({"device-posture": {}})).findings
    # Then the missing policy is the finding, and nothing can fix it
    assert "no authorization policy in force" in finding.message
    assert not finding.remediable
    assert not finding.disruptive


@pytest.mark.parametrize(
    ("required", "met"),
    [
        ({"trust_provider_type": "crowdstrike"}, True),
        ({"trust_provider_type": "crowdstrike", "tenant_id": "tenant-1"}, True),
        ({"trust_provider_type": "crowdstrike", "tenant_id": "tenant-2"}, False),
        ({"trust_provider_type": "jamf"}, False),
    ],
)
def test_required_trust_providers_match_type_and_tenant(
    required: dict[str, str], met: bool
) -> None:
    policy = build_policy({"device-posture": {"required_trust_providers": [required]}})
    assert bool(evaluate_at(build_state(), policy).findings) is not met


def test_missing_shadow_mode_reads_as_disabled_awss_default() -> None:
    # AUTHORIZATION_POLICY has no ShadowMode: the API reference's default is "disabled".
    assert evaluate_at(build_state(), build_policy({"device-posture": {}})).findings == ()


@pytest.mark.parametrize("status", ["deleting", "failed"])
def test_a_policy_being_deleted_or_failed_is_not_in_force(status: str) -> None:
    state = build_state(authorization_policy={**AUTHORIZATION_POLICY, "Status": status})
    (finding,) = evaluate_at(state, build_policy({"device-posture": {}})).findings
    assert f"status {status}" in finding.message


def test_shadow_mode_is_left_only_when_it_is_the_one_problem() -> None:
    # Given a shadowed policy on an endpoint that also lacks its required provider
    state = build_state(drop=("DevicePostureOptions",), authorization_policy=SHADOWED)
    policy = build_policy({"device-posture": FULL_RULES["device-posture"]})
    evaluation = evaluate_at(state, policy)
    # Then both are reported, and nothing is enforced on an endpoint without its provider
    (finding,) = evaluation.findings
    assert "crowdstrike" in finding.message
    assert "shadow mode" in finding.message
    assert evaluation.plan.is_empty


def test_shadow_mode_is_reported_not_left_by_default() -> None:
    state = build_state(authorization_policy=SHADOWED)
    evaluation = evaluate_at(state, build_policy({"device-posture": {}}))
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive  # what leaving it would do, told even though it is off
    assert evaluation.plan.is_empty


def test_shadow_mode_allowed_is_not_a_finding() -> None:
    state = build_state(authorization_policy=SHADOWED)
    policy = build_policy({"device-posture": {"forbid_shadow_mode": False}})
    assert evaluate_at(state, policy).findings == ()


def test_device_posture_policy_not_read_is_not_evaluated() -> None:
    evaluation = evaluate_at(
        build_state(authorization_policy=None), build_policy({"device-posture": {}})
    )
    assert [rule.rule for rule in evaluation.unevaluated] == ["device-posture"]


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"remediate": True}, "leave_shadow_mode: true"),
        ({"forbid_shadow_mode": False, "leave_shadow_mode": True}, "needs forbid_shadow_mode"),
    ],
)
def test_device_posture_options_that_cannot_work_are_refused(
    options: dict[str, bool], says: str
) -> None:
    with pytest.raises(PolicyError, match=says):
        build_policy({"device-posture": options})


# --- ip-address-type -------------------------------------------------------------------------
def test_missing_ip_address_types_read_as_awss_default_ipv4() -> None:
    # COMPLIANT_ITEM has neither field, as endpoints created before botocore 1.40.17.
    policy = build_policy({"ip-address-type": {"allowed_traffic_types": ["dual-stack"]}})
    (finding,) = evaluate_at(build_state(), policy).findings
    assert finding.actual == {"TrafficIpAddressType": "ipv4"}
    assert finding.message.endswith("recreate the endpoint.")
    assert not finding.remediable


def test_ip_address_type_needs_something_to_check() -> None:
    with pytest.raises(PolicyError, match="allowed_endpoint_types"):
        build_policy({"ip-address-type": {}})


def test_ip_address_type_is_report_only() -> None:
    with pytest.raises(PolicyError, match="cannot change an endpoint's IP address types"):
        build_policy({"ip-address-type": {"allowed_endpoint_types": ["ipv4"], "remediate": True}})


# --- certificate-revocation ------------------------------------------------------------------
CERTIFICATE_OPTIONS = [
    {
        "Type": "certificate-authentication",
        "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:x"},
    }
]


def test_endpoints_without_client_certificates_need_no_revocation_list() -> None:
    # COMPLIANT_ITEM authenticates by SAML: there is no list to have, and none was read
    state = build_state(revocation_list=None)
    policy = build_policy({"certificate-revocation": {}})
    evaluation = evaluate_at(state, policy)
    assert evaluation.findings == ()
    assert evaluation.unevaluated == ()


def test_certificate_endpoint_with_a_list_complies_and_unread_is_not_evaluated() -> None:
    policy = build_policy({"certificate-revocation": {}})
    with_list = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS})
    assert evaluate_at(with_list, policy).findings == ()
    unread = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS}, revocation_list=None)
    assert [r.rule for r in evaluate_at(unread, policy).unevaluated] == ["certificate-revocation"]


def test_the_revocation_list_text_never_reaches_the_state() -> None:
    state = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS})
    assert state.revocation_list is not None
    assert "X509 CRL" not in state.model_dump_json()


# --- transit-gateway -------------------------------------------------------------------------
TGW = "tgw-0123456789abcdef0"


def _on_transit_gateway(gateway: str = TGW) -> EndpointState:
    return build_state({"TransitGatewayConfiguration": {"TransitGatewayId": gateway}})


def test_transit_gateway_endpoints_can_be_allowed_to_listed_gateways() -> None:
    policy = build_policy({"transit-gateway": {"allowed": True, "transit_gateway_ids": [TGW]}})
    assert evaluate_at(_on_transit_gateway(), policy).findings == ()
    (finding,) = evaluate_at(_on_transit_gateway("tgw-0aaaaaaaaaaaaaaaa"), policy).findings
    assert TGW in finding.message


def test_transit_gateway_allowed_without_a_list_checks_nothing() -> None:
    policy = build_policy({"transit-gateway": {"allowed": True}})
    assert evaluate_at(_on_transit_gateway(), policy).rules_checked == ()


def test_transit_gateway_ids_need_allowed_true() -> None:
    with pytest.raises(PolicyError, match="needs allowed: true"):
        build_policy({"transit-gateway": {"transit_gateway_ids": [TGW]}})
