"""The required-tags rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "required-tags",
    {"Tags": [{"Key": "owner", "Value": "net"}]},
    None,
    severity=Severity.LOW,
)


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
