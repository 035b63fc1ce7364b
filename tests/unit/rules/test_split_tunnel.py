"""The split-tunnel rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase("split-tunnel", {"SplitTunnel": False}, {"SplitTunnel": True})


def test_split_tunnel_false_requires_full_tunnel() -> None:
    policy = build_policy({"split-tunnel": {"required": False}})
    evaluation = evaluate_at(build_state({"SplitTunnel": True}), policy)
    assert evaluation.plan.parameters == {"SplitTunnel": False}
    assert not evaluation.plan.disruptive


def test_missing_split_tunnel_is_awss_default_off() -> None:
    policy = build_policy({"split-tunnel": {"required": False}})
    assert evaluate_at(build_state(drop=("SplitTunnel",)), policy).findings == ()
