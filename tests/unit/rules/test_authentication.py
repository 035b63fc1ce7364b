"""The authentication rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
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
    "authentication",
    {"AuthenticationOptions": [{"Type": "certificate-authentication"}]},
    None,
    severity=Severity.HIGH,
)


def test_every_configured_authentication_type_must_be_allowed() -> None:
    # Given an endpoint with two authentication options, one of them not allowed
    state = build_state(
        {
            "AuthenticationOptions": [
                {"Type": "federated-authentication"},
                {"Type": "certificate-authentication"},
            ]
        }
    )
    evaluation = evaluate_at(
        state, build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    )
    # Then the refused type is named
    assert "certificate-authentication" in evaluation.findings[0].message
    both = build_policy(
        {
            "authentication": {
                "allowed_types": ["federated-authentication", "certificate-authentication"]
            }
        }
    )
    assert evaluate_at(state, both).findings == ()


def test_an_endpoint_reporting_no_authentication_is_a_finding() -> None:
    policy = build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    evaluation = evaluate_at(build_state(drop=("AuthenticationOptions",)), policy)
    assert "no authentication option" in evaluation.findings[0].message


def test_an_unknown_future_authentication_type_is_not_allowed() -> None:
    policy = build_policy({"authentication": {"allowed_types": ["federated-authentication"]}})
    state = build_state({"AuthenticationOptions": [{"Type": "passkey-authentication"}]})
    assert evaluate_at(state, policy).violated_rules == ("authentication",)
