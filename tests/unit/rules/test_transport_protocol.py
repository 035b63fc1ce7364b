"""The transport-protocol rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase("transport-protocol", {"TransportProtocol": "tcp"}, None, severity=Severity.LOW)


def test_missing_transport_protocol_is_awss_default_udp() -> None:
    policy = build_policy({"transport-protocol": {"allowed": ["tcp"]}})
    evaluation = evaluate_at(build_state(drop=("TransportProtocol",)), policy)
    assert evaluation.findings[0].actual == "udp"
    assert "recreated" in evaluation.findings[0].message
