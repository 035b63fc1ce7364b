"""client-route-enforcement: clients may not change the routes the endpoint pushes."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
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

    Controls: NIST SP 800-53 Rev. 5: SC-7(7) (Boundary Protection | Split Tunneling for Remote
    Devices: "Prevent split tunneling for remote devices connecting to organizational systems";
    enforcement keeps the device from overriding the routes the endpoint pushes, which is how a
    client would split the tunnel itself) and AC-17 (Remote Access: "Establish and document
    usage restrictions, configuration/connection requirements, and implementation guidance for
    each type of remote access allowed", 17a).
    """

    id = "client-route-enforcement"
    reads = ("ClientRouteEnforcementOptions",)
    options = ClientRouteEnforcementConfig
    order = 80
    controls = (
        Control(Framework.NIST_800_53, "SC-7(7)", "Split Tunneling for Remote Devices"),
        Control(Framework.NIST_800_53, "AC-17", "Remote Access"),
    )
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
