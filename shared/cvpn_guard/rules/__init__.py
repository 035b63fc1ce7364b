"""The rules: one check per rule id, looked up in :data:`RULES`.

Each check reads an :class:`~cvpn_guard.endpoint.EndpointState` and the rule's options and
returns a :class:`~cvpn_guard.rules.base.RuleResult`: compliant or not, expected and actual
values, and, when the rule can repair the endpoint, a :class:`~cvpn_guard.rules.base.Fix`
(partial ModifyClientVpnEndpoint parameters and what the change does to users).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cvpn_guard.policy.options import RULE_IDS
from cvpn_guard.rules.access import AUTHENTICATION, AUTHORIZATION
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult
from cvpn_guard.rules.client_connect import CLIENT_CONNECT_HANDLER
from cvpn_guard.rules.connection_logging import CONNECTION_LOGGING
from cvpn_guard.rules.dns_servers import DNS_SERVERS
from cvpn_guard.rules.listener import TRANSPORT_PROTOCOL, VPN_PORT
from cvpn_guard.rules.login_banner import LOGIN_BANNER
from cvpn_guard.rules.routing import CLIENT_ROUTE_ENFORCEMENT, SPLIT_TUNNEL
from cvpn_guard.rules.security_groups import SECURITY_GROUPS
from cvpn_guard.rules.self_service_portal import SELF_SERVICE_PORTAL
from cvpn_guard.rules.sessions import DISCONNECT_ON_SESSION_TIMEOUT, SESSION_TIMEOUT
from cvpn_guard.rules.tags import REQUIRED_TAGS

_ALL: tuple[Rule[Any], ...] = (
    DISCONNECT_ON_SESSION_TIMEOUT,
    SESSION_TIMEOUT,
    LOGIN_BANNER,
    CONNECTION_LOGGING,
    SPLIT_TUNNEL,
    SELF_SERVICE_PORTAL,
    CLIENT_CONNECT_HANDLER,
    CLIENT_ROUTE_ENFORCEMENT,
    VPN_PORT,
    TRANSPORT_PROTOCOL,
    AUTHENTICATION,
    DNS_SERVERS,
    AUTHORIZATION,
    SECURITY_GROUPS,
    REQUIRED_TAGS,
)

RULES: Mapping[str, Rule[Any]] = MappingProxyType({rule.rule_id: rule for rule in _ALL})
"""Rule id -> rule, for every rule id a policy may configure."""

if tuple(RULES) != RULE_IDS:  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("cvpn_guard.rules.RULES must cover every rule of the policy schema")

__all__ = ["PASSED", "RULES", "Fix", "Rule", "RuleResult"]
