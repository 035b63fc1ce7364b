"""dns-servers: the DNS servers pushed to clients."""

from __future__ import annotations

import ipaddress
from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import IpAddress, unique
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult

MAX_DNS_SERVERS = 2


class DnsServersConfig(RuleConfig):
    severity: Severity = Severity.MEDIUM
    # Off by default: changing DNS servers resets every client connection.
    remediate_by_default: ClassVar[bool] = False
    allowed: Annotated[
        tuple[IpAddress, ...],
        Field(min_length=1, max_length=MAX_DNS_SERVERS),
        AfterValidator(unique),
    ] = Field(description="one or two IPv4 or IPv6 addresses (AWS allows at most two DNS servers)")


class DnsServers(Rule[DnsServersConfig]):
    """The endpoint must push custom DNS servers, all of them allowed.

    - Compliant when the endpoint has DNS servers and every one is allowed (a subset is fine;
      no DNS servers means clients keep their own resolver, a violation). Addresses compare in
      canonical form (`2001:DB8::53` = `2001:db8::53`).
    - Fix: `DnsServers: {CustomDnsServers: <allowed>, Enabled: true}` (Modify's structure;
      Describe shows a list). **Disruptive**: changing DNS servers resets every client
      connection, so **`remediate` defaults to `false`** here: set it to `true` to enforce.

    Controls: NIST SP 800-53 Rev. 5: CM-6 (Configuration Settings: "Monitor and control changes
    to the configuration settings", 6d; this setting is one of them) and AC-17 (Remote Access:
    "Establish and document usage restrictions, configuration/connection requirements, and
    implementation guidance for each type of remote access allowed", 17a): the resolvers a
    connected client uses are such a connection requirement.
    """

    id = "dns-servers"
    reads = ("DnsServers",)
    options = DnsServersConfig
    order = 120
    controls = (
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
        Control(Framework.NIST_800_53, "AC-17", "Remote Access"),
    )
    fixable = True
    disruptive = True
    modifies = ("DnsServers",)
    example = {"allowed": ["10.0.0.2"], "remediate": True}

    @classmethod
    def check(cls, state: EndpointState, options: DnsServersConfig) -> RuleResult:
        servers = state.endpoint.dns_servers or ()
        allowed = set(options.allowed)
        # No custom servers means clients keep their own resolver: not what the policy wants.
        if servers and all(s in allowed or _normalized(s) in allowed for s in servers):
            return PASSED
        shown = ", ".join(servers) if servers else "none"
        return RuleResult.violated(
            expected=list(options.allowed),
            actual=list(servers),
            message=(
                f"The endpoint's DNS servers are {shown}; the policy allows only "
                f"{', '.join(options.allowed)}."
            ),
            fix=Fix(
                {"DnsServers": {"CustomDnsServers": list(options.allowed), "Enabled": True}},
                disruption="changing the DNS servers resets every client connection",
            ),
        )


def _normalized(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address
