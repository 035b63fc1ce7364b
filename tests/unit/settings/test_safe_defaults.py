"""Safe defaults: nothing is modified unless the document (or the deployment) says enforce."""

from __future__ import annotations

import json

import pytest

from cvpn_guard.policy import Mode, load_policy, load_policy_file
from cvpn_guard.settings import Settings

REPORT_ONLY = "policies/report-only.yaml"


def test_a_document_without_mode_reports() -> None:
    # Given a policy document that does not say which mode
    policy = load_policy(
        json.dumps({"version": 1, "rules": {"session-timeout": {"max_hours": 12}}})
    )

    # Then it only reports: a document must say enforce before anything is modified
    assert policy.mode is Mode.REPORT


@pytest.mark.parametrize("stack_value", ["", "document"])
def test_the_stacks_default_mode_defers_to_the_document(stack_value: str) -> None:
    # Given the stack's EnforcementMode left at its default (or empty)
    settings = Settings.model_validate({"enforcement_mode": stack_value})

    # Then it overrides nothing, so policies/report-only.yaml stays report-only
    assert settings.enforcement_mode is None
    assert load_policy_file(REPORT_ONLY).mode is Mode.REPORT


@pytest.mark.parametrize("stack_value", ["enforce", "report"])
def test_an_explicit_stack_mode_still_overrides(stack_value: str) -> None:
    assert Settings.model_validate({"enforcement_mode": stack_value}).enforcement_mode == Mode(
        stack_value
    )
