"""vpn-port: the port clients connect to."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import unique
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult

VPN_PORTS = (443, 1194)
"""The values AWS accepts for ``VpnPort``."""
AWS_DEFAULT_VPN_PORT = 443


def _aws_port(value: int) -> int:
    if value not in VPN_PORTS:
        raise ValueError(f"{value} is not allowed; allowed: {', '.join(map(str, VPN_PORTS))}")
    return value


VpnPort = Annotated[StrictInt, AfterValidator(_aws_port)]


class VpnPortConfig(RuleConfig):
    severity: Severity = Severity.LOW
    allowed: Annotated[tuple[VpnPort, ...], Field(min_length=1), AfterValidator(unique)] = Field(
        description="a non-empty list of 443 and/or 1194; the first one is the fix"
    )


class VpnPortRule(Rule[VpnPortConfig]):
    """VpnPort must be one of the allowed ports (AWS's default, 443, counts when absent).

    - Compliant when `VpnPort` (443 when missing) is listed.
    - Fix: `VpnPort: <first port listed>`. **Disruptive**: client connections are reset, and
      clients configured for the old port cannot reconnect until their configuration is updated.

    Controls: NIST SP 800-53 Rev. 5: CM-7 (Least Functionality: "Prohibit or restrict the use
    of the following functions, ports, protocols, software, and/or services", 7b); only the
    allowed port is opened) and CM-6 (Configuration Settings: "Monitor and control changes to
    the configuration settings", 6d; this setting is one of them).
    """

    id = "vpn-port"
    reads = ("VpnPort",)
    options = VpnPortConfig
    order = 90
    controls = (
        Control(Framework.NIST_800_53, "CM-7", "Least Functionality"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = True
    disruptive = True
    modifies = ("VpnPort",)
    example = {"allowed": [443]}

    @classmethod
    def check(cls, state: EndpointState, options: VpnPortConfig) -> RuleResult:
        reported = state.endpoint.vpn_port
        port = AWS_DEFAULT_VPN_PORT if reported is None else reported
        if port in options.allowed:
            return PASSED
        target = options.allowed[0]
        return RuleResult.violated(
            expected=list(options.allowed),
            actual=port,
            message=(
                f"VpnPort is {port}; the policy allows "
                f"{' or '.join(str(allowed) for allowed in options.allowed)}."
            ),
            fix=Fix(
                {"VpnPort": target},
                disruption=(
                    f"moving the endpoint from port {port} to {target} resets client "
                    f"connections, and clients configured for port {port} cannot reconnect "
                    "until their configuration is updated"
                ),
            ),
        )
