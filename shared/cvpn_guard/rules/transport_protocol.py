"""transport-protocol: UDP or TCP between clients and the endpoint."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import unique
from cvpn_guard.rules.base import PASSED, ReportOnly, Rule, RuleResult

AWS_DEFAULT_TRANSPORT_PROTOCOL = "udp"
TransportProtocol = Literal["udp", "tcp"]


class TransportProtocolConfig(ReportOnly):
    report_only_because = "AWS cannot change the transport protocol of an endpoint"
    severity: Severity = Severity.LOW
    allowed: Annotated[
        tuple[TransportProtocol, ...], Field(min_length=1), AfterValidator(unique)
    ] = Field(description="a non-empty list of udp and/or tcp")


class TransportProtocolRule(Rule[TransportProtocolConfig]):
    """TransportProtocol must be one of the allowed protocols (report only: it is immutable).

    - Compliant when `TransportProtocol` (udp when missing) is listed.
    - **Report only**: AWS cannot modify the transport protocol; the endpoint must be recreated.
      `remediate: true` is rejected.

    Controls: NIST SP 800-53 Rev. 5: CM-7 (Least Functionality: "Prohibit or restrict the use
    of the following functions, ports, protocols, software, and/or services", 7b); only the
    allowed protocol is used) and CM-6 (Configuration Settings: "Monitor and control changes to
    the configuration settings", 6d; this setting is one of them).
    """

    id = "transport-protocol"
    reads = ("TransportProtocol",)
    options = TransportProtocolConfig
    order = 100
    controls = (
        Control(Framework.NIST_800_53, "CM-7", "Least Functionality"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = False
    example = {"allowed": ["udp"]}

    @classmethod
    def check(cls, state: EndpointState, options: TransportProtocolConfig) -> RuleResult:
        reported = state.endpoint.transport_protocol
        protocol = AWS_DEFAULT_TRANSPORT_PROTOCOL if reported is None else reported
        if protocol in options.allowed:
            return PASSED
        return RuleResult.violated(
            expected=list(options.allowed),
            actual=protocol,
            message=(
                f"TransportProtocol is {protocol}; the policy allows "
                f"{' or '.join(options.allowed)}. AWS cannot change it: the endpoint must be "
                "recreated."
            ),
        )
