"""The DNS servers pushed to clients."""

from __future__ import annotations

import ipaddress

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import DnsServersConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_dns_servers(state: EndpointState, config: DnsServersConfig) -> RuleResult:
    servers = state.endpoint.dns_servers or ()
    allowed = set(config.allowed)
    # No custom servers means clients keep their own resolver: not what the policy wants.
    if servers and all(s in allowed or _normalized(s) in allowed for s in servers):
        return PASSED
    shown = ", ".join(servers) if servers else "none"
    return RuleResult.violated(
        expected=list(config.allowed),
        actual=list(servers),
        message=(
            f"The endpoint's DNS servers are {shown}; the policy allows only "
            f"{', '.join(config.allowed)}."
        ),
        fix=Fix(
            {"DnsServers": {"CustomDnsServers": list(config.allowed), "Enabled": True}},
            disruption="changing the DNS servers resets every client connection",
        ),
    )


def _normalized(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


DNS_SERVERS = Rule(DnsServersConfig, check_dns_servers)
