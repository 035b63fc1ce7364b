"""Adding a rule is one module: a rule defined here is validated, evaluated, fixed and reported.

This is the recipe of CONTRIBUTING.md ("Add a rule") run for real: nothing but the class below
is written, and the policy schema, the enforcement loop (describe, one Modify, verify), the
notice and the CSV rendering pick it up through the registry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.policy import Severity, load_policy
from cvpn_guard.policy_terms.values import NonBlankText
from cvpn_guard.rules import PASSED, Fix, Rule, RuleConfig, RuleResult, rule_ids
from cvpn_guard.rules.registry import unregister_rule
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

RULE_ID = "described-endpoint"


@pytest.fixture
def described_endpoint_rule() -> Iterator[type[Rule[Any]]]:
    """Define (and so register) a rule inside the test; remove it afterwards."""

    class DescribedEndpointConfig(RuleConfig):
        severity: Severity = Severity.LOW
        text: NonBlankText = Field(description="the description every endpoint must carry")

    class DescribedEndpoint(Rule[DescribedEndpointConfig]):
        """Description must be the policy's text (so that owners can be found)."""

        id = RULE_ID
        options = DescribedEndpointConfig
        fixable = True
        reads = ("Description",)
        modifies = ("Description",)
        example = {"text": "owned by the network team"}

        @classmethod
        def check(cls, state: EndpointState, options: DescribedEndpointConfig) -> RuleResult:
            actual = state.endpoint.description
            if actual == options.text:
                return PASSED
            return RuleResult.violated(
                expected=options.text,
                actual=actual,
                message=f"Description is {actual!r}; the policy requires {options.text!r}.",
                fix=Fix({"Description": options.text}),
            )

    yield DescribedEndpoint
    unregister_rule(RULE_ID)


def test_a_rule_defined_in_one_class_is_validated_evaluated_fixed_and_reported(
    described_endpoint_rule: type[Rule[Any]],
    in_process_world: EnforcerWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Given the rule is registered: the policy schema knows it and checks its options
    assert RULE_ID in rule_ids()
    with pytest.raises(PolicyError, match=rf"rules\.{RULE_ID}\.text"):
        load_policy(json.dumps({"version": 1, "rules": {RULE_ID: {"text": 7}}}))
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"version: 1\nmode: enforce\nrules:\n  {RULE_ID}:\n    text: owned by net\n")
    monkeypatch.setenv("POLICY_FILE", str(policy))
    reset_runtime()
    # And an endpoint that breaks only this rule
    endpoint_id = create_endpoint(
        in_process_world.ec2, **{**compliant_overrides(), "Description": "who knows"}
    )

    # When a change to it reaches the enforcer
    result = in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the rule's fix was applied with one Modify and verified
    assert result["status"] == "remediated"
    assert in_process_world.describe(endpoint_id)["Description"] == "owned by net"
    assert in_process_world.modify_calls(endpoint_id) == 1
    # And the notice reports the finding, the change and the fixed rule
    (notice,) = in_process_world.notices()
    (endpoint,) = json.loads(notice["Message"])["endpoints"]
    assert [finding["rule"] for finding in endpoint["findings"]] == [RULE_ID]
    assert endpoint["fixed_rules"] == [RULE_ID]
    assert endpoint["changes"] == [
        {"field": "Description", "before": "who knows", "after": "owned by net"}
    ]


def test_removing_the_rule_takes_it_out_of_the_schema(
    described_endpoint_rule: type[Rule[Any]],
) -> None:
    # Given the rule is registered, When it is removed again
    unregister_rule(RULE_ID)

    # Then a policy naming it is refused as naming an unknown rule
    with pytest.raises(PolicyError, match=f"unknown rule '{RULE_ID}'"):
        load_policy(json.dumps({"version": 1, "rules": {RULE_ID: {"text": "x"}}}))
