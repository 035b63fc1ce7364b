"""required-tags: tags every endpoint must carry (owner, cost center, ...)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import TagKey, unique
from cvpn_guard.rules.base import PASSED, ReportOnly, Rule, RuleResult


class RequiredTagsConfig(ReportOnly):
    report_only_because = "cvpn-guard cannot know the values of missing tags"
    severity: Severity = Severity.LOW
    keys: Annotated[tuple[TagKey, ...], Field(min_length=1), AfterValidator(unique)] = Field(
        description="a non-empty list of tag keys, 1 to 128 characters each (case-sensitive)"
    )


class RequiredTags(Rule[RequiredTagsConfig]):
    """The endpoint must carry every required tag key (report only: values are unknown).

    - A violation when a key is missing (a key with an empty value is present).
    - **Report only**: cvpn-guard cannot know the values. `remediate: true` is rejected.

    Controls: NIST SP 800-53 Rev. 5: CM-8 (System Component Inventory: an inventory that
    "Includes the following information to achieve system component accountability:
    [organization-defined information]", 8a.5; the required tags carry it).
    """

    id = "required-tags"
    reads = ("Tags",)
    options = RequiredTagsConfig
    order = 150
    controls = (Control(Framework.NIST_800_53, "CM-8", "System Component Inventory"),)
    fixable = False
    example = {"keys": ["owner", "cost-center"]}

    @classmethod
    def check(cls, state: EndpointState, options: RequiredTagsConfig) -> RuleResult:
        tags = state.endpoint.tags
        missing = [key for key in options.keys if key not in tags]  # keys are case-sensitive
        if not missing:
            return PASSED
        sorted_keys: list[JsonValue] = [*sorted(tags)]
        return RuleResult.violated(
            expected=list(options.keys),
            actual=sorted_keys,
            message=f"The endpoint lacks the required tag(s) {', '.join(missing)}.",
        )
