"""The vpn-port rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
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
    "vpn-port", {"VpnPort": 1194}, {"VpnPort": 443}, disruptive=True, severity=Severity.LOW
)


def test_missing_vpn_port_is_awss_default_443() -> None:
    policy = build_policy({"vpn-port": {"allowed": [1194]}})
    evaluation = evaluate_at(build_state(drop=("VpnPort",)), policy)
    assert evaluation.findings[0].actual == 443
    assert evaluation.plan.parameters == {"VpnPort": 1194}
