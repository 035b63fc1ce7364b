"""The authorization rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from cvpn_guard.endpoint_calls import RevokeAccessAll
from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    ENDPOINT_ID,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

ACCESS_ALL_RULE = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "AccessAll": True,
    "DestinationCidr": "0.0.0.0/0",
    "Status": {"Code": "active"},
}

CASE = RuleCase(
    "authorization",
    {},
    None,
    disruptive=True,
    severity=Severity.HIGH,
    authorization_rules=(ACCESS_ALL_RULE,),
    calls=(RevokeAccessAll(target_network_cidr="0.0.0.0/0"),),
)


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
