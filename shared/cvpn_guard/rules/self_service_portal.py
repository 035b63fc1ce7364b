"""The self-service portal, where users download their client configuration."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import SelfServicePortalConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_self_service_portal(state: EndpointState, config: SelfServicePortalConfig) -> RuleResult:
    # Describe has no SelfServicePortal field: the portal is on exactly when it has a URL.
    url = state.endpoint.self_service_portal_url
    if not url:
        return PASSED
    return RuleResult.violated(
        expected="disabled",
        actual="enabled",
        message=f"The self-service portal is on ({url}); the policy does not allow it.",
        fix=Fix({"SelfServicePortal": "disabled"}),
    )


SELF_SERVICE_PORTAL = Rule(SelfServicePortalConfig, check_self_service_portal)
