"""The client-route-enforcement rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "client-route-enforcement",
    {"ClientRouteEnforcementOptions": {"Enforced": False}},
    {"ClientRouteEnforcementOptions": {"Enforced": True}},
)


def test_missing_route_enforcement_options_are_not_enforced() -> None:
    evaluation = evaluate_at(
        build_state(drop=("ClientRouteEnforcementOptions",)),
        build_policy({"client-route-enforcement": {}}),
    )
    assert evaluation.plan.parameters == {"ClientRouteEnforcementOptions": {"Enforced": True}}
