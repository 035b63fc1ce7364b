"""The session-timeout rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "session-timeout",
    {"SessionTimeoutHours": 24},
    {"SessionTimeoutHours": 12},
    disruptive=True,
)


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
