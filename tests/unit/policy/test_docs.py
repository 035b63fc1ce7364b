"""docs/policy.md documents every registered rule, its options and its metadata."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.rules import Rule, all_rules

DOC = (Path(__file__).resolve().parents[3] / "docs" / "policy.md").read_text(encoding="utf-8")


def section(rule_id: str) -> str:
    match = re.search(rf"^### {re.escape(rule_id)}\n(.*?)(?=^##)", DOC, re.MULTILINE | re.DOTALL)
    assert match is not None, f"docs/policy.md has no section for {rule_id}"
    return match.group(1)


def table_row(rule_id: str) -> list[str]:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| [`{rule_id}`]"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def fixed_cell(rule: type[Rule[Any]]) -> str:
    """What the "fixed?" column must say, from the rule's metadata and options model."""
    options = rule.options
    if not rule.fixable:
        return "no (report only)"
    if options.fix_switches:
        return "only with " + " or ".join(f"`{name}: true`" for name in options.fix_switches)
    if options.fix_options:
        return "when " + " or ".join(f"`{name}`" for name in options.fix_options) + " is given"
    if not options.remediate_by_default:
        return "only with `remediate: true`"
    return "yes"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_every_rule_and_its_options_are_documented(rule: type[Rule[Any]]) -> None:
    # Given a registered rule / Then its section names each of its own options
    text = section(rule.id)
    own = [name for name in rule.options.model_fields if name not in ("severity", "remediate")]
    for option in own:
        assert f"`{option}`" in text, f"{rule.id}.{option} is not documented"
    # And the summary table lists its options, default severity, fix and disruption as coded
    _, options, severity, fixed, disruptive = table_row(rule.id)
    assert options == ", ".join(f"`{name}`" for name in own)
    assert severity == str(rule.options.model_fields["severity"].default)
    assert fixed == fixed_cell(rule)
    assert disruptive == ("-" if not rule.fixable else "**yes**" if rule.disruptive else "no")


def test_the_table_lists_exactly_the_registered_rules() -> None:
    listed = re.findall(r"^\| \[`([a-z-]+)`\]", DOC, re.MULTILINE)
    assert listed == [rule.id for rule in all_rules()]
