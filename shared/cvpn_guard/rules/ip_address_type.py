"""ip-address-type: the IP versions clients connect over and send through the tunnel."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, JsonValue, model_validator

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.key_errors import key_error
from cvpn_guard.policy_terms.values import unique
from cvpn_guard.rules.base import PASSED, ReportOnly, Rule, RuleResult

IpAddressType = Literal["ipv4", "ipv6", "dual-stack"]
AWS_DEFAULT = "ipv4"
"""CreateClientVpnEndpoint's documented default for both types (botocore 1.40.17)."""
_Allowed = Annotated[tuple[IpAddressType, ...], Field(min_length=1), AfterValidator(unique)]


class IpAddressTypeConfig(ReportOnly):
    report_only_because = (
        "AWS cannot change an endpoint's IP address types after creation "
        "(ModifyClientVpnEndpoint has no such parameter)"
    )
    severity: Severity = Severity.MEDIUM
    allowed_endpoint_types: _Allowed | None = Field(
        default=None,
        description=(
            "a non-empty list of ipv4, ipv6, dual-stack: what clients may connect over "
            "(EndpointIpAddressType; omit: not checked)"
        ),
    )
    allowed_traffic_types: _Allowed | None = Field(
        default=None,
        description=(
            "a non-empty list of ipv4, ipv6, dual-stack: what may travel through the tunnel "
            "(TrafficIpAddressType; omit: not checked)"
        ),
    )

    @model_validator(mode="after")
    def _something_to_check(self) -> Self:
        if self.allowed_endpoint_types is None and self.allowed_traffic_types is None:
            raise key_error(
                "allowed_endpoint_types",
                "give allowed_endpoint_types, allowed_traffic_types or both: without either "
                "there is nothing to check",
            )
        return self


class IpAddressTypeRule(Rule[IpAddressTypeConfig]):
    """EndpointIpAddressType and TrafficIpAddressType must be allowed (report only: immutable).

    At least one of the two is required.

    - Compliant when each type given is allowed. Both fields came with botocore 1.40.17; a
      missing one reads as `ipv4`, CreateClientVpnEndpoint's documented default.
    - **Report only**: the types are set at creation and ModifyClientVpnEndpoint has no
      parameter for them; the endpoint must be recreated. `remediate: true` is rejected.

    Controls: NIST SP 800-53 Rev. 5: CM-7 (Least Functionality: "Prohibit or restrict the use
    of the following functions, ports, protocols, software, and/or services", 7b); an IP
    version the organization does not run is a protocol to restrict) and CM-6 (Configuration
    Settings: "Monitor and control changes to the configuration settings", 6d; this setting is
    one of them).
    """

    id = "ip-address-type"
    reads = ("EndpointIpAddressType", "TrafficIpAddressType")
    options = IpAddressTypeConfig
    order = 105
    controls = (
        Control(Framework.NIST_800_53, "CM-7", "Least Functionality"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = False
    example = {"allowed_endpoint_types": ["ipv4", "dual-stack"], "allowed_traffic_types": ["ipv4"]}

    @classmethod
    def check(cls, state: EndpointState, options: IpAddressTypeConfig) -> RuleResult:
        endpoint = state.endpoint
        # Endpoints created before the fields existed omit them: they are IPv4 (AWS's default).
        actual = {
            "EndpointIpAddressType": endpoint.endpoint_ip_address_type or AWS_DEFAULT,
            "TrafficIpAddressType": endpoint.traffic_ip_address_type or AWS_DEFAULT,
        }
        wanted = {
            "EndpointIpAddressType": options.allowed_endpoint_types,
            "TrafficIpAddressType": options.allowed_traffic_types,
        }
        wrong = [
            field
            for field, allowed in wanted.items()
            if allowed is not None and actual[field] not in allowed
        ]
        if not wrong:
            return PASSED
        expected: dict[str, JsonValue] = {
            field: list(allowed) for field, allowed in wanted.items() if allowed is not None
        }
        described = "; ".join(
            f"{field} is {actual[field]}, the policy allows {', '.join(wanted[field] or ())}"
            for field in wrong
        )
        return RuleResult.violated(
            expected=expected,
            actual={field: actual[field] for field in expected},
            message=f"{described}. AWS cannot change it: recreate the endpoint.",
        )
