"""The security-groups rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from cvpn_guard.findings import EndpointStatus
from tests.unit.policy.builders import (
    DEFAULT_SG,
    GOOD_SG,
    VPC_ID,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "security-groups",
    {"SecurityGroupIds": [DEFAULT_SG]},
    {"SecurityGroupIds": [GOOD_SG], "VpcId": VPC_ID},
)


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
