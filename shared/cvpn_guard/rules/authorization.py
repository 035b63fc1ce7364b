"""authorization: what clients may reach, by authorization rule."""

from __future__ import annotations

from pydantic import Field, JsonValue, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.enums import Severity
from cvpn_guard.rules.base import PASSED, Needs, ReportOnly, Rule, RuleResult

_REVOKING = "revoking"


class AuthorizationConfig(ReportOnly):
    report_only_because = "cvpn-guard never revokes authorization rules"
    severity: Severity = Severity.HIGH
    forbid_access_all: StrictBool = Field(
        default=True,
        description="true (no authorization rule may allow all clients) or false (not checked)",
    )

    @property
    def active(self) -> bool:
        return self.forbid_access_all


class Authorization(Rule[AuthorizationConfig]):
    """No authorization rule may grant every client access (AccessAll): access goes by group."""

    id = "authorization"
    options = AuthorizationConfig
    order = 130
    fixable = False
    needs = frozenset({Needs.AUTHORIZATION_RULES})
    example = {"forbid_access_all": True}

    @classmethod
    def check(cls, state: EndpointState, options: AuthorizationConfig) -> RuleResult:
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
