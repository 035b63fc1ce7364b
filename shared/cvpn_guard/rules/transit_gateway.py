"""transit-gateway: whether endpoints may attach to a transit gateway instead of a VPC."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, StrictBool, model_validator

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.policy_terms.values import TransitGatewayId, unique
from cvpn_guard.rules.base import PASSED, ReportOnly, Rule, RuleResult


class TransitGatewayConfig(ReportOnly):
    report_only_because = (
        "AWS cannot change an endpoint's transit gateway configuration (ModifyClientVpnEndpoint "
        "documents TransitGatewayConfiguration as not supported)"
    )
    severity: Severity = Severity.MEDIUM
    allowed: StrictBool = Field(
        default=False,
        description="false (no transit gateway endpoints) or true (allowed)",
    )
    transit_gateway_ids: (
        Annotated[tuple[TransitGatewayId, ...], Field(min_length=1), AfterValidator(unique)] | None
    ) = Field(
        default=None,
        description=(
            "with allowed: true, the transit gateways allowed, tgw- and 8 to 17 hex digits (omit: "
            "any gateway)"
        ),
    )

    @property
    def active(self) -> bool:
        # Allowed without a list allows every configuration: nothing to check.
        return not self.allowed or self.transit_gateway_ids is not None

    @model_validator(mode="after")
    def _ids_need_allowed(self) -> Self:
        if self.transit_gateway_ids is not None and not self.allowed:
            raise key_error(
                "transit_gateway_ids",
                "transit_gateway_ids needs allowed: true (with allowed: false no transit "
                "gateway is allowed)",
            )
        return self


class TransitGateway(Rule[TransitGatewayConfig]):
    """Transit gateway endpoints are forbidden, or allowed only to listed gateways (report only).

    - With `allowed: false`, a violation when Describe shows a `TransitGatewayConfiguration`
      (botocore 1.42.92; absent means a VPC endpoint). With `allowed: true` and a list, a
      violation when its `TransitGatewayId` is not listed; `allowed: true` alone checks nothing.
    - **Report only**: the configuration is chosen at creation; ModifyClientVpnEndpoint
      documents `TransitGatewayConfiguration` as "currently not supported". `remediate: true` is
      rejected.

    Controls: NIST SP 800-53 Rev. 5: AC-4 (Information Flow Enforcement: "Enforce approved
    authorizations for controlling the flow of information within the system and between
    connected systems"); a transit gateway connects clients to every network attached to it)
    and SC-7 (Boundary Protection: "Monitor and control communications at the external managed
    interfaces to the system", 7a)).
    """

    id = "transit-gateway"
    reads = ("TransitGatewayConfiguration",)
    options = TransitGatewayConfig
    order = 145
    controls = (
        Control(Framework.NIST_800_53, "AC-4", "Information Flow Enforcement"),
        Control(Framework.NIST_800_53, "SC-7", "Boundary Protection"),
    )
    fixable = False
    example = {"allowed": False}

    @classmethod
    def check(cls, state: EndpointState, options: TransitGatewayConfig) -> RuleResult:
        # Absent: the endpoint is associated with a VPC (AWS's default before transit gateways).
        configuration = state.endpoint.transit_gateway_configuration
        gateway = configuration.transit_gateway_id if configuration else None
        if configuration is None:
            return PASSED
        if not options.allowed:
            return RuleResult.violated(
                expected=None,
                actual={"TransitGatewayId": gateway},
                message=(
                    f"The endpoint is attached to transit gateway {gateway}; the policy allows "
                    "VPC endpoints only. AWS cannot change it: recreate the endpoint."
                ),
            )
        allowed = options.transit_gateway_ids or ()
        if gateway in allowed:
            return PASSED
        return RuleResult.violated(
            expected={"TransitGatewayId": list(allowed)},
            actual={"TransitGatewayId": gateway},
            message=(
                f"The endpoint is attached to transit gateway {gateway}, not one the policy "
                f"allows ({', '.join(allowed)}). AWS cannot change it: recreate the endpoint."
            ),
        )
