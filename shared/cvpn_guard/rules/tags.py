"""Tags every endpoint must carry (owner, cost center, ...)."""

from __future__ import annotations

from pydantic import JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import RequiredTagsConfig
from cvpn_guard.rules.base import PASSED, Rule, RuleResult


def check_required_tags(state: EndpointState, config: RequiredTagsConfig) -> RuleResult:
    tags = state.endpoint.tags
    missing = [key for key in config.keys if key not in tags]  # keys are case-sensitive
    if not missing:
        return PASSED
    sorted_keys: list[JsonValue] = [*sorted(tags)]
    return RuleResult.violated(
        expected=list(config.keys),
        actual=sorted_keys,
        message=f"The endpoint lacks the required tag(s) {', '.join(missing)}.",
    )


REQUIRED_TAGS = Rule(RequiredTagsConfig, check_required_tags)
