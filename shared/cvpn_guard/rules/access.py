"""Who may connect (authentication) and what they may reach (authorization rules)."""

from __future__ import annotations

from pydantic import JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import AuthenticationConfig, AuthorizationConfig
from cvpn_guard.rules.base import PASSED, Rule, RuleResult

_REVOKING = "revoking"


def check_authentication(state: EndpointState, config: AuthenticationConfig) -> RuleResult:
    types = [option.type for option in state.endpoint.authentication_options or ()]
    if types and all(kind in config.allowed_types for kind in types):
        return PASSED
    if not types:
        message = "The endpoint reports no authentication option, so none can be checked."
    else:
        refused = ", ".join(str(kind) for kind in types if kind not in config.allowed_types)
        message = (
            f"The endpoint authenticates with {refused}, which the policy does not allow. "
            "AWS cannot change it: the endpoint must be recreated."
        )
    return RuleResult.violated(
        expected=list(config.allowed_types), actual=list(types), message=message
    )


def check_authorization(state: EndpointState, config: AuthorizationConfig) -> RuleResult:
    # A rule being revoked is on its way out; every other status may grant access.
    offending = [
        rule
        for rule in state.authorization_rules
        if rule.access_all is True and (rule.status is None or rule.status.code != _REVOKING)
    ]
    if not offending:
        return PASSED
    actual: list[JsonValue] = [
        {
            "DestinationCidr": rule.destination_cidr,
            "AccessAll": True,
            "Description": rule.description,
            "Status": rule.status.code if rule.status is not None else None,
        }
        for rule in offending
    ]
    destinations = ", ".join(str(rule.destination_cidr) for rule in offending)
    return RuleResult.violated(
        expected=[],
        actual=actual,
        message=(
            f"{len(offending)} authorization rule(s) grant every client access (to "
            f"{destinations}); the policy requires access by group."
        ),
    )


AUTHENTICATION = Rule(AuthenticationConfig, check_authentication)
AUTHORIZATION = Rule(AuthorizationConfig, check_authorization)
