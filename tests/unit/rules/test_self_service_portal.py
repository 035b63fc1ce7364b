"""The self-service-portal rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from tests.unit.policy.builders import (
    ENDPOINT_ID,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "self-service-portal",
    {
        "SelfServicePortalUrl": f"https://self-service.clientvpn.amazonaws.com/endpoints/{ENDPOINT_ID}"
    },
    {"SelfServicePortal": "disabled"},
)


def test_portal_allowed_is_not_checked() -> None:
    state = build_state({"SelfServicePortalUrl": "https://self-service.example"})
    policy = build_policy({"self-service-portal": {"allowed": True}})
    assert evaluate_at(state, policy).rules_checked == ()
