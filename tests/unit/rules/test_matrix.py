"""Every rule: pass, fail, fix, exempt, expired exemption, remediate false, report mode,
severity (one matrix, the same tests for each rule).

Each rule's row is the ``CASE`` of its own test file, tests/unit/rules/test_<rule module>.py,
beside that rule's finer points: adding a rule adds its module and that file.
"""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cvpn_devkit.modify_simulator import apply_to_state

from cvpn_guard.findings import EXEMPTION_EXPIRED, EndpointStatus, worst_severity
from cvpn_guard.policy import Severity
from cvpn_guard.rules import Rule, all_rules
from tests.unit.policy.builders import (
    ENDPOINT_ID,
    FULL_RULES,
    NOW,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

HERE = Path(__file__).resolve().parent


def _test_file(rule: type[Rule[Any]]) -> Path:
    return HERE / f"test_{rule.__module__.rsplit('.', 1)[-1]}.py"


def _case_of(rule: type[Rule[Any]]) -> RuleCase:
    """The ``CASE`` of the rule's test file (loaded by path: the test files are no package)."""
    path = _test_file(rule)
    spec = importlib.util.spec_from_file_location(f"rule_case_{path.stem}", path)
    assert spec is not None, path
    assert spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    case: RuleCase = module.CASE
    return case


CASES = [_case_of(rule) for rule in all_rules() if _test_file(rule).is_file()]


def only(case: RuleCase, **document: Any) -> Any:
    """A policy with just this case's rule, as configured in FULL_RULES."""
    return build_policy({case.rule: FULL_RULES[case.rule]}, **document)


def violating(case: RuleCase) -> Any:
    return build_state(case.violation, authorization_rules=case.authorization_rules, **case.reads)


def exemption(case: RuleCase, expires: date | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"endpoint_id": ENDPOINT_ID, "rules": [case.rule], "reason": "SEC-1"}
    if expires is not None:
        entry["expires"] = expires.isoformat()
    return entry


def test_every_rule_has_its_test_file_with_its_row() -> None:
    # Given the registered rules / Then each has tests/unit/rules/test_<its module>.py, whose
    # CASE is its row of this matrix
    missing = [rule.id for rule in all_rules() if not _test_file(rule).is_file()]
    assert missing == [], f"rules without tests/unit/rules/test_<module>.py: {missing}"
    assert [case.rule for case in CASES] == [rule.id for rule in all_rules()]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_passes_on_a_compliant_endpoint(case: RuleCase) -> None:
    # Given an endpoint that follows the rule
    state = build_state()
    # When it is evaluated against a policy with only that rule
    evaluation = evaluate_at(state, only(case))
    # Then nothing is found and nothing is planned
    assert evaluation.status is EndpointStatus.COMPLIANT
    assert evaluation.findings == ()
    assert evaluation.plan.is_empty
    assert evaluation.rules_checked == (case.rule,)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_fails_on_a_drifted_endpoint(case: RuleCase) -> None:
    # Given an endpoint that breaks the rule
    state = violating(case)
    # When it is evaluated
    evaluation = evaluate_at(state, only(case))
    # Then one finding names the rule, with its default severity and a readable sentence
    assert evaluation.status is EndpointStatus.NON_COMPLIANT
    assert evaluation.violated_rules == (case.rule,)
    (finding,) = evaluation.findings
    assert finding.severity is case.severity
    assert finding.remediable is case.fixable
    assert finding.disruptive is case.disruptive
    assert (finding.disruption_reason is not None) is case.disruptive
    assert finding.message.endswith(".")
    assert finding.expected != finding.actual


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_fix_is_the_minimal_modify_and_converges(case: RuleCase) -> None:
    # Given a drifted endpoint
    state = violating(case)
    policy = only(case)
    # When it is evaluated in enforce mode
    plan = evaluate_at(state, policy).plan
    # Then the plan is exactly the rule's fix (nothing for a report-only rule)
    if not case.fixable:
        assert plan.is_empty
        return
    assert plan.parameters == (case.fix or {})
    assert plan.calls == case.calls
    assert plan.rules == (case.rule,)
    assert plan.disruptive is case.disruptive
    # And applying it (the Modify, then the other calls) brings the endpoint into compliance
    fixed = apply_to_state(state, plan)
    assert evaluate_at(fixed, policy).status is EndpointStatus.COMPLIANT


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_violation_is_spared_by_an_exemption(case: RuleCase) -> None:
    # Given a drifted endpoint exempted from the rule until after NOW
    policy = only(case, exemptions=[exemption(case, expires=NOW.date())])
    # When it is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the violation is listed as exempted, not counted, and not fixed
    assert evaluation.status is EndpointStatus.EXEMPT
    assert evaluation.findings == ()
    assert evaluation.plan.is_empty
    (exempted,) = evaluation.exempted
    assert exempted.finding.rule == case.rule
    assert exempted.exemption_reason == "SEC-1"
    assert exempted.expires == NOW.date()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_is_checked_again_once_its_exemption_expired(case: RuleCase) -> None:
    # Given an exemption whose last day was yesterday
    yesterday = NOW.date() - timedelta(days=1)
    policy = only(case, exemptions=[exemption(case, expires=yesterday)])
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the violation counts again, and the expired exemption is a finding of its own
    assert evaluation.status is EndpointStatus.NON_COMPLIANT
    assert evaluation.violated_rules == (EXEMPTION_EXPIRED, case.rule)
    expired = evaluation.findings[0]
    assert expired.severity is Severity.MEDIUM
    assert not expired.remediable
    assert yesterday.isoformat() in expired.message
    assert case.rule in expired.message
    assert evaluation.exempted == ()
    # And the rule's fix is planned again
    assert evaluation.plan.is_empty is not case.fixable


@pytest.mark.parametrize("case", [c for c in CASES if c.fixable], ids=str)
def test_rule_with_remediate_false_reports_without_planning(case: RuleCase) -> None:
    # Given a fixable rule with remediate: false
    policy = build_policy({case.rule: {**FULL_RULES[case.rule], "remediate": False}})
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then it is reported as not remediable, nothing is planned, the disruption still told
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive is case.disruptive
    assert evaluation.plan.is_empty


@pytest.mark.parametrize("case", [c for c in CASES if c.fixable], ids=str)
def test_rule_in_report_mode_is_remediable_but_not_planned(case: RuleCase) -> None:
    # Given a report-mode policy
    policy = only(case, mode="report")
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the finding says enforce mode would fix it, but nothing is planned
    assert evaluation.findings[0].remediable
    assert evaluation.plan.is_empty


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_severity_can_be_raised(case: RuleCase) -> None:
    # Given the rule with severity critical
    policy = build_policy({case.rule: {**FULL_RULES[case.rule], "severity": "critical"}})
    # When the drifted endpoint is evaluated
    evaluation = evaluate_at(violating(case), policy)
    # Then the finding carries that severity
    assert worst_severity(evaluation.findings) is Severity.CRITICAL
