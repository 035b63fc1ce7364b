"""Which traffic goes through the tunnel, and whether clients may change their routes."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import ClientRouteEnforcementConfig, SplitTunnelConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_split_tunnel(state: EndpointState, config: SplitTunnelConfig) -> RuleResult:
    reported = state.endpoint.split_tunnel
    actual = reported is True  # AWS's default is off (full tunnel)
    if actual == config.required:
        return PASSED
    wanted = "on" if config.required else "off (full tunnel)"
    return RuleResult.violated(
        expected=config.required,
        actual=reported,
        message=f"Split-tunnel is {'on' if actual else 'off'}; the policy requires it {wanted}.",
        # Routes reach a client when it connects, so the change touches new connections.
        fix=Fix({"SplitTunnel": config.required}),
    )


def check_client_route_enforcement(
    state: EndpointState, config: ClientRouteEnforcementConfig
) -> RuleResult:
    options = state.endpoint.client_route_enforcement_options
    enforced = options.enforced if options is not None else None
    if enforced is True:
        return PASSED
    return RuleResult.violated(
        expected={"Enforced": True},
        actual={"Enforced": enforced},
        message="Client route enforcement is off; the policy requires it.",
        fix=Fix({"ClientRouteEnforcementOptions": {"Enforced": True}}),
    )


SPLIT_TUNNEL = Rule(SplitTunnelConfig, check_split_tunnel)
CLIENT_ROUTE_ENFORCEMENT = Rule(ClientRouteEnforcementConfig, check_client_route_enforcement)
