"""The compliance controls each rule serves: named, well-formed, cited, and selectable.

Each rule names at least one control (NIST SP 800-53 Rev. 5, PCI DSS v4.0, AWS Security Hub),
written as its framework writes ids, and its docstring (the rule's user documentation) cites
every one. ``rules_of_control`` is what ``--control`` selects by.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.rules import Rule, all_rules
from cvpn_guard.rules.controls import UnknownControlError, known_controls, rules_of_control
from tests.unit.policy.builders import evaluate_at
from tests.unit.rules.cases import RuleCase
from tests.unit.rules.test_matrix import CASES, only, violating

# How each framework writes a control id: NIST "AC-12" or an enhancement "SC-7(7)", PCI DSS a
# requirement "10.2.1", Security Hub "EC2.51".
ID_FORMS = {
    Framework.NIST_800_53: re.compile(r"[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?"),
    Framework.PCI_DSS: re.compile(r"\d{1,2}(\.\d{1,2}){1,3}"),
    Framework.SECURITY_HUB: re.compile(r"[A-Za-z0-9]+\.\d+"),
}
# How a docstring names the framework a control belongs to.
CITED_AS = {
    Framework.NIST_800_53: "NIST SP 800-53 Rev. 5",
    Framework.PCI_DSS: "PCI DSS v4.0",
    Framework.SECURITY_HUB: "Security Hub",
}

RULES = all_rules()


def _doc(rule: type[Rule[Any]]) -> str:
    return " ".join((rule.__doc__ or "").split())  # a citation may wrap across lines


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_rule_names_a_control(rule: type[Rule[Any]]) -> None:
    # Given a registered rule / Then it serves at least one control, each listed once
    assert rule.controls, f"{rule.id} names no control: fill Rule.controls"
    assert len(set(rule.controls)) == len(rule.controls)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_control_ids_are_written_as_their_framework_writes_them(rule: type[Rule[Any]]) -> None:
    # Given the rule's controls / Then each id has its framework's form and a title
    for control in rule.controls:
        assert ID_FORMS[control.framework].fullmatch(control.id), (rule.id, control)
        assert control.title.strip(), (rule.id, control)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_every_control_is_cited_in_the_rules_docstring(rule: type[Rule[Any]]) -> None:
    # Given the rule's documentation
    doc = _doc(rule)
    # Then it names each control's framework and the control itself
    for control in rule.controls:
        assert CITED_AS[control.framework] in doc, (rule.id, control.framework)
        assert re.search(rf"(?<![\w.(-]){re.escape(control.id)}(?![\w(-])", doc), (
            f"{rule.id}'s docstring does not cite {control.tag}"
        )


def test_a_control_selects_the_rules_that_serve_it_by_id_or_tag_in_any_case() -> None:
    # Given a control some rules serve
    control = next(c for c in known_controls() if c.framework is Framework.NIST_800_53)
    serving = tuple(rule.id for rule in RULES if control in rule.controls)
    # When it is asked for by id, by tag and in another case
    # Then each selects exactly those rules, in evaluation order
    assert rules_of_control(control.id) == serving
    assert rules_of_control(control.tag) == serving
    assert rules_of_control(f" {control.tag.lower()} ") == serving


def test_an_enhancement_is_not_its_base_control() -> None:
    # Given SC-7 and its enhancement SC-7(7), both served by some rule
    base = {rule.id for rule in RULES if any(c.id == "SC-7" for c in rule.controls)}
    enhancement = {rule.id for rule in RULES if any(c.id == "SC-7(7)" for c in rule.controls)}
    assert base
    assert enhancement
    assert base != enhancement
    # When each is asked for / Then each selects its own rules only
    assert set(rules_of_control("SC-7")) == base
    assert set(rules_of_control("sc-7(7)")) == enhancement


def test_an_unknown_control_is_refused_with_the_known_ones() -> None:
    # Given a control no rule serves
    # When it is asked for
    with pytest.raises(UnknownControlError) as raised:
        rules_of_control("ZZ-99")
    # Then the error names it and lists every known control's tag
    message = str(raised.value)
    assert "ZZ-99" in message
    for control in known_controls():
        assert control.tag in message


def test_known_controls_are_each_listed_once() -> None:
    # Given every rule's controls / Then the known controls are their set, without repeats
    every: set[Control] = {c for rule in RULES for c in rule.controls}
    assert set(known_controls()) == every
    assert len(known_controls()) == len(every)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_finding_carries_the_controls_of_its_rule(case: RuleCase) -> None:
    # Given an endpoint that breaks the case's rule
    rule = next(rule for rule in RULES if rule.id == case.rule)
    # When it is evaluated
    evaluation = evaluate_at(violating(case), only(case))
    # Then the rule's finding names its controls by tag, in the rule's order
    (finding,) = (f for f in evaluation.findings if f.rule == rule.id)
    assert finding.controls == tuple(c.tag for c in rule.controls)
