"""Where and how clients connect: the VPN port and the transport protocol."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import TransportProtocolConfig, VpnPortConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult

AWS_DEFAULT_VPN_PORT = 443
AWS_DEFAULT_TRANSPORT_PROTOCOL = "udp"


def check_vpn_port(state: EndpointState, config: VpnPortConfig) -> RuleResult:
    reported = state.endpoint.vpn_port
    port = AWS_DEFAULT_VPN_PORT if reported is None else reported
    if port in config.allowed:
        return PASSED
    target = config.allowed[0]
    return RuleResult.violated(
        expected=list(config.allowed),
        actual=port,
        message=(
            f"VpnPort is {port}; the policy allows "
            f"{' or '.join(str(allowed) for allowed in config.allowed)}."
        ),
        fix=Fix(
            {"VpnPort": target},
            disruption=(
                f"moving the endpoint from port {port} to {target} resets client connections, "
                f"and clients configured for port {port} cannot reconnect until their "
                "configuration is updated"
            ),
        ),
    )


def check_transport_protocol(state: EndpointState, config: TransportProtocolConfig) -> RuleResult:
    reported = state.endpoint.transport_protocol
    protocol = AWS_DEFAULT_TRANSPORT_PROTOCOL if reported is None else reported
    if protocol in config.allowed:
        return PASSED
    return RuleResult.violated(
        expected=list(config.allowed),
        actual=protocol,
        message=(
            f"TransportProtocol is {protocol}; the policy allows {' or '.join(config.allowed)}. "
            "AWS cannot change it: the endpoint must be recreated."
        ),
    )


VPN_PORT = Rule(VpnPortConfig, check_vpn_port)
TRANSPORT_PROTOCOL = Rule(TransportProtocolConfig, check_transport_protocol)
