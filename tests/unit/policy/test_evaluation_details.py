"""Exemptions and the whole evaluation: what no single rule decides (each rule's own finer
points are in tests/unit/rules/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cvpn_guard.findings import EndpointStatus, worst_severity
from cvpn_guard.policy import Severity
from cvpn_guard.rules import rule_ids
from tests.unit.policy.builders import (
    ENDPOINT_ID,
    FULL_RULES,
    NOW,
    build_policy,
    build_state,
    evaluate_at,
)


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
    assert worst_severity(evaluation.findings) is None
    assert evaluation.rules_checked == rule_ids()


def test_findings_follow_rule_order_and_the_worst_severity_is_high() -> None:
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
    assert worst_severity(evaluation.findings) is Severity.HIGH
    # And the one plan fixes all three, and is disruptive for two reasons
    assert evaluation.plan.rules == evaluation.violated_rules
    assert len(evaluation.plan.disruption_reasons) == 2
    assert evaluation.endpoint_id == ENDPOINT_ID


def test_evaluation_at_now_default_is_deterministic() -> None:
    assert evaluate_at(build_state(), build_policy(FULL_RULES), NOW) == evaluate_at(
        build_state(), build_policy(FULL_RULES), NOW
    )
