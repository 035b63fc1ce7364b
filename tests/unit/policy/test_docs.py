"""docs/policy.md documents every registered rule, its options and its metadata, and the
maintenance windows of disruptive fixes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import WINDOW_TAG, DisruptiveFixes, MaintenanceWindow, load_policy
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


def chapter(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", DOC, re.MULTILINE | re.DOTALL)
    assert match is not None, f"docs/policy.md has no chapter {title!r}"
    return match.group(1)


WINDOWS_CHAPTER = "Disruptive fixes and maintenance windows"


def test_the_maintenance_windows_chapter_names_the_disruptive_rules_and_every_key() -> None:
    # Given the chapter on disruptive_fixes
    text = chapter(WINDOWS_CHAPTER)
    # Then it lists exactly the rules whose fix is disruptive, in the table's order
    first_paragraph = text.split("\n\n", 1)[0]
    listed = re.findall(r"`([a-z-]+)`", first_paragraph)
    assert listed == [rule.id for rule in all_rules() if rule.fixable and rule.disruptive]
    # And every key of disruptive_fixes and of a window has its row, and the tag is named
    for model in (DisruptiveFixes, MaintenanceWindow):
        for key in model.model_fields:
            assert f"| `{key}` |" in text, f"{model.__name__}.{key} is not documented"
    assert f"`{WINDOW_TAG}=NAME`" in text
    assert "[maintenance windows](#disruptive-fixes-and-maintenance-windows)" in DOC


BROKEN_WINDOWS = [
    {"when": "inwindow"},
    {"wndows": {}},
    {"when": "in_window"},
    {
        "windows": {
            "default": {
                "days": ["saturday"],
                "start": "02:00",
                "end": "05:00",
                "timezone": "Europe/Berlin",
            }
        }
    },
    {
        "windows": {
            "default": {
                "days": ["sat"],
                "start": "2:00",
                "end": "05:00",
                "timezone": "Europe/Berlin",
            }
        }
    },
    {
        "windows": {
            "default": {
                "days": ["sat"],
                "start": "02:00",
                "end": "25:00",
                "timezone": "Europe/Berlin",
            }
        }
    },
    {
        "windows": {
            "default": {
                "days": ["sat"],
                "start": "02:00",
                "end": "05:00",
                "timezone": "Europe/Berln",
            }
        }
    },
    {"max_connected_users": True},
]


def test_the_maintenance_windows_error_samples_are_what_the_loader_says() -> None:
    # Given the error lines the chapter shows
    shown = re.findall(r"^org\.yaml: .*$", chapter(WINDOWS_CHAPTER), re.MULTILINE)
    assert len(shown) == len(BROKEN_WINDOWS)
    # When the documents they come from are loaded
    said = []
    for broken in BROKEN_WINDOWS:
        text = yaml.safe_dump({"version": 1, "rules": {}, "disruptive_fixes": broken})
        with pytest.raises(PolicyError) as raised:
            load_policy(text, source="org.yaml")
        said.append(str(raised.value))
    # Then each line is, word for word, what the loader says
    assert shown == said
