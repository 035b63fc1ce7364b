"""The connection-logging rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
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
    "connection-logging",
    {"ConnectionLogOptions": {"Enabled": False}},
    {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "IncludeAuthorizationPolicyContext": True,
        }
    },
    severity=Severity.HIGH,
)


def test_logging_to_another_group_is_moved_to_the_policys_group() -> None:
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/other",
                "CloudwatchLogStream": "s",
            }
        }
    )
    evaluation = evaluate_at(
        state, build_policy({"connection-logging": {"log_group": "/aws/clientvpn"}})
    )
    # The old stream belongs to the old group: it is not carried over
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/aws/clientvpn"}
    }


def test_logging_fix_keeps_settings_the_policy_does_not_govern() -> None:
    # Given logging switched off, with a stream in the right group and the context option set
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": False,
                "CloudwatchLogGroup": "/aws/clientvpn",
                "CloudwatchLogStream": "eng",
                "IncludeAuthorizationPolicyContext": True,
            }
        }
    )
    # When it is evaluated
    evaluation = evaluate_at(
        state, build_policy({"connection-logging": {"log_group": "/aws/clientvpn"}})
    )
    # Then Modify's whole-structure replacement keeps the stream and the option
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "eng",
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_logging_to_the_wrong_stream_is_fixed_with_the_policys_stream() -> None:
    policy = build_policy(
        {"connection-logging": {"log_group": "/aws/clientvpn", "log_stream": "all"}}
    )
    evaluation = evaluate_at(build_state(), policy)
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "all",
            # Not governed by this policy, so carried over (Modify replaces the structure).
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_logging_without_log_group_in_policy_is_report_only() -> None:
    state = build_state(drop=("ConnectionLogOptions",))
    evaluation = evaluate_at(state, build_policy({"connection-logging": {}}))
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_authorization_policy_context_alone_is_fixed_keeping_group_and_stream() -> None:
    # Given an endpoint logging to its own group without the policy context
    state = build_state(
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/team",
                "CloudwatchLogStream": "s",
            }
        }
    )
    # When the policy names no group but wants the context
    policy = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    evaluation = evaluate_at(state, policy)
    # Then the finding says so, and the fix keeps the team's group and stream
    (finding,) = evaluation.findings
    assert "evaluation context" in finding.message
    assert evaluation.plan.parameters == {
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/team",
            "CloudwatchLogStream": "s",
            "IncludeAuthorizationPolicyContext": True,
        }
    }


def test_missing_authorization_policy_context_reads_as_not_included() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/g"}})
    wants = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    refuses = build_policy({"connection-logging": {"include_authorization_policy_context": False}})
    assert evaluate_at(state, wants).violated_rules == ("connection-logging",)
    assert evaluate_at(state, refuses).findings == ()


def test_context_without_logging_on_and_without_group_is_report_only() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": False}})
    policy = build_policy({"connection-logging": {"include_authorization_policy_context": True}})
    evaluation = evaluate_at(state, policy)
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert evaluation.plan.is_empty


def test_logging_to_any_group_satisfies_a_policy_without_group() -> None:
    state = build_state({"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/x"}})
    assert evaluate_at(state, build_policy({"connection-logging": {}})).findings == ()
