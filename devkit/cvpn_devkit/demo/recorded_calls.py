"""The calls the replayed samples record, made on the emulator just before their event arrives.

The enforcer never trusts an event: it describes the endpoint. So that it finds what the event
says happened, the demo makes the call first, with the sample's own parameters (the create is
made by the story itself, with the estate's settings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cvpn_devkit.demo.replay import SampleEvent, tag_set
from cvpn_guard.intake.wire import plain, unwrap

Call = Callable[[Any, dict[str, Any], Sequence[str]], None]


def _authorize(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> None:
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_ids[0],
        TargetNetworkCidr=request["TargetNetworkCidr"],
        AuthorizeAllGroups=bool(request.get("AuthorizeAllGroups")),
        **({"Description": request["Description"]} if "Description" in request else {}),
    )


def _revoke(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> None:
    ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_ids[0],
        TargetNetworkCidr=request["TargetNetworkCidr"],
        RevokeAllGroups=bool(request.get("RevokeAllGroups")),
    )


def _create_tags(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> None:
    tags = [{"Key": key, "Value": value} for key, value in tag_set(request).items()]
    ec2.create_tags(Resources=list(endpoint_ids), Tags=tags)


CALLS: dict[str, Call] = {
    "AuthorizeClientVpnIngress": _authorize,
    "RevokeClientVpnIngress": _revoke,
    "CreateTags": _create_tags,
}


def make_recorded_call(ec2: Any, sample: SampleEvent, endpoint_ids: Sequence[str]) -> bool:
    """Make ``sample``'s call on ``endpoint_ids``; False when the demo has no way to make it."""
    call = CALLS.get(sample.event_name)
    if call is None or sample.error_code or not endpoint_ids:
        return False
    raw: dict[str, Any] = sample.detail.get("requestParameters") or {}
    # Tag calls are not wrapped (their tagSet is read as it is); the others are.
    request: dict[str, Any] = raw if sample.event_name == "CreateTags" else plain(unwrap(raw))
    call(ec2, request, endpoint_ids)
    return True
