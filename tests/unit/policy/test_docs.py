"""docs/policy.md documents every registered rule, its options and its metadata, and the
maintenance windows of disruptive fixes."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from cvpn_devkit import policy_docs

from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import WINDOW_TAG, DisruptiveFixes, MaintenanceWindow, load_policy
from cvpn_guard.rules import PASSED, Rule, RuleConfig, all_rules, get_rule

DOC = (Path(__file__).resolve().parents[3] / "docs" / "policy.md").read_text(encoding="utf-8")


def section(rule_id: str) -> str:
    match = re.search(rf"^### {re.escape(rule_id)}\n(.*?)(?=^##)", DOC, re.MULTILINE | re.DOTALL)
    assert match is not None, f"docs/policy.md has no section for {rule_id}"
    return match.group(1)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_every_rule_and_its_options_are_documented(rule: type[Rule[Any]]) -> None:
    # Given a registered rule / Then its section names each of its own options
    text = section(rule.id)
    for option in policy_docs.own_options(rule):
        assert f"`{option}`" in text, f"{rule.id}.{option} is not documented"


def test_the_generated_tables_are_the_registrys() -> None:
    # Given docs/policy.md as committed, When its tables are generated from the registry
    # Then nothing changes: `python -m cvpn_devkit.policy_docs` was run after the last change
    assert policy_docs.rewrite(DOC, policy_docs.blocks()) == DOC, (
        "docs/policy.md's rule tables are stale: run `python -m cvpn_devkit.policy_docs`"
    )


def test_the_table_lists_exactly_the_registered_rules() -> None:
    listed = re.findall(r"^\| \[`([a-z-]+)`\]", DOC, re.MULTILINE)
    assert listed == [rule.id for rule in all_rules()]


@pytest.mark.parametrize(
    ("rule_id", "fixed", "disruptive"),
    [
        ("session-timeout", "yes", "**yes**"),
        ("login-banner", "when `text` is given", "no"),
        ("authorization", "only with `revoke_access_all: true`", "**yes**"),
        ("dns-servers", "only with `remediate: true`", "**yes**"),
        ("transport-protocol", "no (report only)", "-"),
    ],
)
def test_the_summary_says_when_a_rule_is_fixed_and_whether_that_disrupts(
    rule_id: str, fixed: str, disruptive: str
) -> None:
    # Given rules of each kind: always fixed, fixed once an option is given, fixed once a
    # switch is on, fixed only when remediate is asked for, never fixed
    rule = get_rule(rule_id)
    # Then the summary's cells say so as docs/policy.md's legend explains them
    assert policy_docs.fixed_cell(rule) == fixed
    assert policy_docs.disruptive_cell(rule) == disruptive


def test_an_option_without_a_description_cannot_be_documented() -> None:
    # Given a rule whose option lacks a description
    class Undocumented(RuleConfig):
        setting: bool = True

    class Fake(Rule[Undocumented], register=False):
        """Fake."""

        id = "fake"
        options = Undocumented
        fixable = False
        example: ClassVar[dict[str, Any]] = {"setting": True}

        @classmethod
        def check(cls, state: Any, options: Undocumented) -> Any:
            return PASSED  # never called: the generator reads metadata only

    # Then the generator refuses it, naming the option
    with pytest.raises(policy_docs.PolicyDocsError, match=r"fake\.setting has no description"):
        policy_docs.options_table(Fake)


def test_a_document_without_the_markers_is_refused() -> None:
    # Given a docs/policy.md that lost the "Every rule" chapter's opening marker
    broken = DOC.replace(policy_docs.begin_marker(policy_docs.EVERY_RULE), "")
    # Then the generator says which pair is missing instead of writing nothing
    with pytest.raises(policy_docs.PolicyDocsError, match="every rule"):
        policy_docs.rewrite(broken, policy_docs.blocks())


def test_a_rules_section_is_its_docstring_then_its_controls_then_its_options() -> None:
    # Given a rule whose docstring has a summary line and a Markdown body
    rule = get_rule("login-banner")
    summary, _, body = inspect.cleandoc(rule.__doc__ or "").partition("\n\n")
    # When its section is generated
    text = policy_docs.rule_section(rule)
    # Then it opens with its heading, its summary, its body, its controls table, and then its
    # options and example
    controls = "Controls:\n\n| framework | control | title |\n| --- | --- | --- |\n"
    assert text.startswith(f"### login-banner\n\n{summary}\n\n{body}\n\n{controls}")
    for control in rule.controls:
        assert f"| {control.framework.value} | `{control.id}` | {control.title} |" in text
    assert text.index("| framework |") < text.index("| option |")
    assert "```yaml\nrules:\n  login-banner:\n" in text


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_the_summary_table_lists_each_rules_controls(rule: type[Rule[Any]]) -> None:
    # Given a registered rule and its row in "Rules at a glance"
    row = next(line for line in DOC.splitlines() if line.startswith(f"| [`{rule.id}`]"))
    # Then its last cell names every control it serves
    cell = row.rstrip(" |").rsplit(" | ", 1)[-1]
    for control in rule.controls:
        assert control.id in cell, (rule.id, control.tag)


def test_a_rule_without_a_docstring_cannot_be_documented() -> None:
    class Options(RuleConfig):
        pass

    class Bare(Rule[Options], register=False):
        id = "bare"
        options = Options
        fixable = False
        example: ClassVar[dict[str, Any]] = {}

        @classmethod
        def check(cls, state: Any, options: Options) -> Any:
            return PASSED  # never called: the generator reads metadata only

    Bare.__doc__ = None
    with pytest.raises(policy_docs.PolicyDocsError, match="bare has no docstring"):
        policy_docs.prose(Bare)


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
