"""client-route-enforcement: clients may not change the routes the endpoint pushes."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class ClientRouteEnforcementConfig(RuleConfig):
    severity: Severity = Severity.MEDIUM
    required: StrictBool = Field(
        default=True, description="true (client routes must be enforced) or false (not checked)"
    )

    @property
    def active(self) -> bool:
        return self.required


class ClientRouteEnforcement(Rule[ClientRouteEnforcementConfig]):
    """Client route enforcement must be on.

    - Compliant when `ClientRouteEnforcementOptions.Enforced` is true.
    - Fix: `ClientRouteEnforcementOptions: {Enforced: true}`. Not disruptive.
    """

    id = "client-route-enforcement"
    reads = ("ClientRouteEnforcementOptions",)
    options = ClientRouteEnforcementConfig
    order = 80
    fixable = True
    modifies = ("ClientRouteEnforcementOptions",)
    example = {"required": True}

    @classmethod
    def check(cls, state: EndpointState, options: ClientRouteEnforcementConfig) -> RuleResult:
        current = state.endpoint.client_route_enforcement_options
        enforced = current.enforced if current is not None else None
        if enforced is True:
            return PASSED
        return RuleResult.violated(
            expected={"Enforced": True},
            actual={"Enforced": enforced},
            message="Client route enforcement is off; the policy requires it.",
            fix=Fix({"ClientRouteEnforcementOptions": {"Enforced": True}}),
        )
