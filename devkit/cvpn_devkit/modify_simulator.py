"""What Describe shows after AWS applies a plan's ModifyClientVpnEndpoint call (a test double).

Property tests and benchmarks use it to check that a plan really fixes what it claims without
an emulator round trip. Modify and Describe spell some parameters differently: ``SHOWN_AS``
says how Describe shows those (the EC2 API Reference's ModifyClientVpnEndpoint and
ClientVpnEndpoint; the emulator, whose tests pin the same mapping, has its own code for it), so
that the shipped rules carry no test double. Every other parameter is shown under its own
name. The other calls say how the reads show them once made (``EndpointCall.show_in_state``,
which ``scan --plan`` uses too).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.remediation import RemediationPlan

SELF_SERVICE_PORTAL_URL = "https://self-service.clientvpn.amazonaws.com/endpoints/{endpoint_id}"
"""What Describe shows once the portal is on."""


def _client_connect_options(item: dict[str, Any], value: Any) -> None:
    # Describe adds the options' Status (applied once AWS has taken them).
    item["ClientConnectOptions"] = {**value, "Status": {"Code": "applied"}}


def _connection_log_options(item: dict[str, Any], value: Any) -> None:
    # Describe keeps IncludeAuthorizationPolicyContext when a Modify does not send it.
    before = item.get("ConnectionLogOptions") or {}
    after = dict(value)
    if "IncludeAuthorizationPolicyContext" in before:
        after.setdefault(
            "IncludeAuthorizationPolicyContext", before["IncludeAuthorizationPolicyContext"]
        )
    item["ConnectionLogOptions"] = after


def _dns_servers(item: dict[str, Any], value: Any) -> None:
    # Modify takes a {CustomDnsServers, Enabled} structure; Describe shows a list.
    if value.get("Enabled"):
        item["DnsServers"] = list(value.get("CustomDnsServers", []))
    else:
        item.pop("DnsServers", None)


def _self_service_portal(item: dict[str, Any], value: Any) -> None:
    # Modify takes enabled/disabled; Describe shows the portal's URL, or nothing.
    if value == "enabled":
        endpoint_id = item["ClientVpnEndpointId"]
        item["SelfServicePortalUrl"] = SELF_SERVICE_PORTAL_URL.format(endpoint_id=endpoint_id)
    else:
        item.pop("SelfServicePortalUrl", None)


SHOWN_AS: dict[str, Callable[[dict[str, Any], Any], None]] = {
    "ClientConnectOptions": _client_connect_options,
    "ConnectionLogOptions": _connection_log_options,
    "DnsServers": _dns_servers,
    "SelfServicePortal": _self_service_portal,
}
"""Modify parameter -> how it is written into a Describe item, where the two differ."""


def apply_plan(endpoint: ClientVpnEndpoint, plan: RemediationPlan) -> ClientVpnEndpoint:
    """The endpoint as Describe would return it once the plan's Modify call has succeeded.

    Fields the plan does not mention, including ones the model does not know, are kept.
    """
    if plan.is_empty:
        return endpoint
    item = endpoint.to_describe()
    for parameter, value in plan.parameters.items():
        show = SHOWN_AS.get(parameter)
        if show is None:
            item[parameter] = copy.deepcopy(value)
        else:
            show(item, copy.deepcopy(value))
    return ClientVpnEndpoint.from_describe(item)


def apply_to_state(state: EndpointState, plan: RemediationPlan) -> EndpointState:
    """The whole state once the plan's Modify and its other calls have succeeded."""
    after = state.model_copy(update={"endpoint": apply_plan(state.endpoint, plan)})
    for call in plan.calls:
        after = call.show_in_state(after)
    return after
