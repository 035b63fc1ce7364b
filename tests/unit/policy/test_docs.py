"""docs/policy.md documents every rule and every option the schema accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cvpn_guard.policy.options import RULE_CONFIGS, RuleConfig

DOC = (Path(__file__).resolve().parents[3] / "docs" / "policy.md").read_text(encoding="utf-8")


def section(rule_id: str) -> str:
    match = re.search(rf"^### {re.escape(rule_id)}\n(.*?)(?=^##)", DOC, re.MULTILINE | re.DOTALL)
    assert match is not None, f"docs/policy.md has no section for {rule_id}"
    return match.group(1)


@pytest.mark.parametrize("config", RULE_CONFIGS, ids=lambda c: c.rule_id)
def test_every_rule_and_its_options_are_documented(config: type[RuleConfig]) -> None:
    # Given a rule of the schema / Then its section names each of its own options
    text = section(config.rule_id)
    for option in config.model_fields:
        if option not in ("severity", "remediate"):
            assert f"`{option}`" in text, f"{config.rule_id}.{option} is not documented"
    # And the summary table lists it with its default severity
    row = next(line for line in DOC.splitlines() if line.startswith(f"| [`{config.rule_id}`]"))
    assert f"| {config.model_fields['severity'].default} |" in row
