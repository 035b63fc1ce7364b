"""Every rule: pass, fail, fix, exempt, expired exemption (one table, the same five tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from cvpn_devkit.modify_simulator import apply_to_state

from cvpn_guard.endpoint_calls import (
    DeleteRoute,
    EndpointCall,
    LeaveShadowMode,
    RevokeAccessAll,
)
from cvpn_guard.findings import EXEMPTION_EXPIRED, EndpointStatus
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
    POLICY_DOCUMENT,
    SUBNET,
    VPC_ID,
    build_policy,
    build_state,
    evaluate_at,
)

ACCESS_ALL_RULE = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "AccessAll": True,
    "DestinationCidr": "0.0.0.0/0",
    "Status": {"Code": "active"},
}


INTERNET_ROUTE = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "DestinationCidr": "0.0.0.0/0",
    "TargetSubnet": SUBNET,
    "Type": "Nat",
    "Origin": "add-route",
    "Status": {"Code": "active"},
}


@dataclass(frozen=True)
class RuleCase:
    rule: str
    violation: dict[str, Any]  # Describe keys replaced
    fix: dict[str, Any] | None  # the Modify parameters planned; None: none
    disruptive: bool = False
    severity: Severity = Severity.MEDIUM
    authorization_rules: tuple[dict[str, Any], ...] = field(default=())
    reads: dict[str, Any] = field(default_factory=dict)  # other reads replaced (build_state)
    calls: tuple[EndpointCall, ...] = ()  # the other calls planned

    @property
    def fixable(self) -> bool:
        return self.fix is not None or bool(self.calls)

    def __str__(self) -> str:
        return self.rule


CASES = [
    RuleCase(
        "disconnect-on-session-timeout",
        {"DisconnectOnSessionTimeout": False},
        {"DisconnectOnSessionTimeout": True},
        disruptive=True,
        severity=Severity.HIGH,
    ),
    RuleCase(
        "session-timeout",
        {"SessionTimeoutHours": 24},
        {"SessionTimeoutHours": 12},
        disruptive=True,
    ),
    RuleCase(
        "login-banner",
        {"ClientLoginBannerOptions": {"Enabled": False}},
        {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}},
    ),
    RuleCase(
        "connection-logging",
        {"ConnectionLogOptions": {"Enabled": False}},
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/aws/clientvpn",
                "IncludeAuthorizationPolicyContext": True,
            }
        },
        severity=Severity.HIGH,
    ),
    RuleCase("split-tunnel", {"SplitTunnel": False}, {"SplitTunnel": True}),
    RuleCase(
        "self-service-portal",
        {
            "SelfServicePortalUrl": f"https://self-service.clientvpn.amazonaws.com/endpoints/{ENDPOINT_ID}"
        },
        {"SelfServicePortal": "disabled"},
    ),
    RuleCase(
        "client-connect-handler",
        {"ClientConnectOptions": {"Enabled": False, "Status": {"Code": "applied"}}},
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": HANDLER}},
        severity=Severity.HIGH,
    ),
    RuleCase(
        "device-posture",
        {},
        None,
        disruptive=True,
        severity=Severity.HIGH,
        reads={"authorization_policy": {**AUTHORIZATION_POLICY, "ShadowMode": "enabled"}},
        calls=(LeaveShadowMode(policy_document=POLICY_DOCUMENT),),
    ),
    RuleCase(
        "client-route-enforcement",
        {"ClientRouteEnforcementOptions": {"Enforced": False}},
        {"ClientRouteEnforcementOptions": {"Enforced": True}},
    ),
    RuleCase(
        "vpn-port", {"VpnPort": 1194}, {"VpnPort": 443}, disruptive=True, severity=Severity.LOW
    ),
    RuleCase("transport-protocol", {"TransportProtocol": "tcp"}, None, severity=Severity.LOW),
    RuleCase(
        "ip-address-type",
        # An IPv6-only endpoint; its TrafficIpAddressType is absent: AWS's default, ipv4.
        {"EndpointIpAddressType": "ipv6"},
        None,
    ),
    RuleCase(
        "authentication",
        {"AuthenticationOptions": [{"Type": "certificate-authentication"}]},
        None,
        severity=Severity.HIGH,
    ),
    RuleCase(
        "certificate-revocation",
        {
            "AuthenticationOptions": [
                {
                    "Type": "certificate-authentication",
                    "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:x"},
                }
            ]
        },
        None,
        severity=Severity.HIGH,
        reads={"revocation_list": {}},  # Export answers nothing when no list was imported
    ),
    RuleCase(
        "dns-servers",
        {"DnsServers": ["8.8.8.8"]},
        {"DnsServers": {"CustomDnsServers": ["10.0.0.2"], "Enabled": True}},
        disruptive=True,
    ),
    RuleCase(
        "authorization",
        {},
        None,
        disruptive=True,
        severity=Severity.HIGH,
        authorization_rules=(ACCESS_ALL_RULE,),
        calls=(RevokeAccessAll(target_network_cidr="0.0.0.0/0"),),
    ),
    RuleCase(
        "routes",
        {},
        None,
        disruptive=True,
        severity=Severity.HIGH,
        reads={"routes": (INTERNET_ROUTE,)},
        calls=(DeleteRoute(destination_cidr="0.0.0.0/0", target_subnet=SUBNET),),
    ),
    RuleCase(
        "security-groups",
        {"SecurityGroupIds": [DEFAULT_SG]},
        {"SecurityGroupIds": [GOOD_SG], "VpcId": VPC_ID},
    ),
    RuleCase(
        "transit-gateway",
        {
            "TransitGatewayConfiguration": {
                "TransitGatewayId": "tgw-0123456789abcdef0",
                "TransitGatewayAttachmentId": "tgw-attach-0123456789abcdef0",
                "AvailabilityZones": ["eu-west-1a"],
            }
        },
        None,
    ),
    RuleCase(
        "required-tags",
        {"Tags": [{"Key": "owner", "Value": "net"}]},
        None,
        severity=Severity.LOW,
    ),
]


def only(case: RuleCase, **document: Any) -> Any:
    """A policy with just this case's rule, as configured in FULL_RULES."""
    return build_policy({case.rule: FULL_RULES[case.rule]}, **document)


def violating(case: RuleCase) -> Any:
    return build_state(case.violation, authorization_rules=case.authorization_rules, **case.reads)


def exemption(case: RuleCase, expires: date | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"endpoint_id": ENDPOINT_ID, "rules": [case.rule], "reason": "SEC-1"}
    if expires is not None:
        entry["expires"] = expires.isoformat()
    return entry


def test_the_table_covers_every_rule() -> None:
    # Given the rule cases / Then there is one per rule id of the schema
    assert sorted(case.rule for case in CASES) == sorted(rule_ids())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_passes_on_a_compliant_endpoint(case: RuleCase) -> None:
    # Given an endpoint that follows the rule
    state = build_state()
    # When it is evaluated against a policy with only that rule
    evaluation = evaluate_at(state, only(case))
    # Then nothing is found and nothing is planned
    assert evaluation.status is EndpointStatus.COMPLIANT
    assert evaluation.findings == ()
    assert evaluation.plan.is_empty
    assert evaluation.rules_checked == (case.rule,)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_fails_on_a_drifted_endpoint(case: RuleCase) -> None:
    # Given an endpoint that breaks the rule
    state = violating(case)
    # When it is evaluated
    evaluation = evaluate_at(state, only(case))
    # Then one finding names the rule, with its default severity and a readable sentence
    assert evaluation.status is EndpointStatus.NON_COMPLIANT
    assert evaluation.violated_rules == (case.rule,)
    (finding,) = evaluation.findings
    assert finding.severity is case.severity
    assert finding.remediable is case.fixable
    assert finding.disruptive is case.disruptive
    assert (finding.disruption_reason is not None) is case.disruptive
    assert finding.message.endswith(".")
    assert finding.expected != finding.actual


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_fix_is_the_minimal_modify_and_converges(case: RuleCase) -> None:
    # Given a drifted endpoint
    state = violating(case)
    policy = only(case)
    # When it is evaluated in enforce mode
    plan = evaluate_at(state, policy).plan
    # Then the plan is exactly the rule's fix (nothing for a report-only rule)
    if not case.fixable:
        assert plan.is_empty
        return
    assert plan.parameters == (case.fix or {})
    assert plan.calls == case.calls
    assert plan.rules == (case.rule,)
    assert plan.disruptive is case.disruptive
    # And applying it (the Modify, then the other calls) brings the endpoint into compliance
    fixed = apply_to_state(state, plan)
    assert evaluate_at(fixed, policy).status is EndpointStatus.COMPLIANT


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_violation_is_spared_by_an_exemption(case: RuleCase) -> None:
    # Given a drifted endpoint exempted from the rule until after NOW
    policy = only(case, exemptions=[exemption(case, expires=NOW.date())])
    # When it is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the violation is listed as exempted, not counted, and not fixed
    assert evaluation.status is EndpointStatus.EXEMPT
    assert evaluation.findings == ()
    assert evaluation.plan.is_empty
    (exempted,) = evaluation.exempted
    assert exempted.finding.rule == case.rule
    assert exempted.exemption_reason == "SEC-1"
    assert exempted.expires == NOW.date()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_is_checked_again_once_its_exemption_expired(case: RuleCase) -> None:
    # Given an exemption whose last day was yesterday
    yesterday = NOW.date() - timedelta(days=1)
    policy = only(case, exemptions=[exemption(case, expires=yesterday)])
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the violation counts again, and the expired exemption is a finding of its own
    assert evaluation.status is EndpointStatus.NON_COMPLIANT
    assert evaluation.violated_rules == (EXEMPTION_EXPIRED, case.rule)
    expired = evaluation.findings[0]
    assert expired.severity is Severity.MEDIUM
    assert not expired.remediable
    assert yesterday.isoformat() in expired.message
    assert case.rule in expired.message
    assert evaluation.exempted == ()
    # And the rule's fix is planned again
    assert evaluation.plan.is_empty is not case.fixable


@pytest.mark.parametrize("case", [c for c in CASES if c.fixable], ids=str)
def test_rule_with_remediate_false_reports_without_planning(case: RuleCase) -> None:
    # Given a fixable rule with remediate: false
    policy = build_policy({case.rule: {**FULL_RULES[case.rule], "remediate": False}})
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then it is reported as not remediable, nothing is planned, the disruption still told
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive is case.disruptive
    assert evaluation.plan.is_empty


@pytest.mark.parametrize("case", [c for c in CASES if c.fixable], ids=str)
def test_rule_in_report_mode_is_remediable_but_not_planned(case: RuleCase) -> None:
    # Given a report-mode policy
    policy = only(case, mode="report")
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the finding says enforce mode would fix it, but nothing is planned
    assert evaluation.findings[0].remediable
    assert evaluation.plan.is_empty


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_severity_can_be_raised(case: RuleCase) -> None:
    # Given the rule with severity critical
    policy = build_policy({case.rule: {**FULL_RULES[case.rule], "severity": "critical"}})
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the finding carries that severity
    assert evaluation.max_severity is Severity.CRITICAL
