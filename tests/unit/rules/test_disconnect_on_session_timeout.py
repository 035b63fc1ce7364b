"""The disconnect-on-session-timeout rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "disconnect-on-session-timeout",
    {"DisconnectOnSessionTimeout": False},
    {"DisconnectOnSessionTimeout": True},
    disruptive=True,
    severity=Severity.HIGH,
)


def test_missing_disconnect_on_session_timeout_is_not_compliant() -> None:
    # Given an endpoint described by an SDK that predates DisconnectOnSessionTimeout
    state = build_state(drop=("DisconnectOnSessionTimeout",))
    # When the rule requires it
    evaluation = evaluate_at(state, build_policy({"disconnect-on-session-timeout": {}}))
    # Then unknown is not "true": it is a finding, fixed by setting it explicitly
    (finding,) = evaluation.findings
    assert finding.actual is None
    assert "not reported" in finding.message
    assert evaluation.plan.parameters == {"DisconnectOnSessionTimeout": True}


def test_disconnect_rule_with_required_false_is_not_checked() -> None:
    # Given required: false
    policy = build_policy({"disconnect-on-session-timeout": {"required": False}})
    # When an endpoint with the setting off is evaluated
    evaluation = evaluate_at(build_state({"DisconnectOnSessionTimeout": False}), policy)
    # Then the rule is not even checked
    assert evaluation.status is EndpointStatus.COMPLIANT
    assert evaluation.rules_checked == ()
