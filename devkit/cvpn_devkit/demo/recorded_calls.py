"""The calls the replayed samples record, made on the emulator just before their event arrives.

The enforcer never trusts an event: it describes the endpoint. So that it finds what the event
says happened, the demo makes the call first, with the sample's own parameters (the create is
made by the story itself, with the estate's settings; a modify's drift is seeded with the
estate). A call can create an id the sample recorded differently (an association): the call
returns it, so that the later samples naming it are pointed at the real one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cvpn_devkit.demo.replay import SampleEvent, tag_set
from cvpn_guard.intake.wire import plain, unwrap

Call = Callable[[Any, dict[str, Any], Sequence[str]], Mapping[str, str]]
"""(ec2, the sample's request, endpoint ids) -> ids the call created, {sample's: real}."""

_NOTHING_NEW: Mapping[str, str] = {}


def _authorize(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> Mapping[str, str]:
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_ids[0],
        TargetNetworkCidr=request["TargetNetworkCidr"],
        AuthorizeAllGroups=bool(request.get("AuthorizeAllGroups")),
        **({"Description": request["Description"]} if "Description" in request else {}),
    )
    return _NOTHING_NEW


def _revoke(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> Mapping[str, str]:
    ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_ids[0],
        TargetNetworkCidr=request["TargetNetworkCidr"],
        RevokeAllGroups=bool(request.get("RevokeAllGroups")),
    )
    return _NOTHING_NEW


def _associate(ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]) -> Mapping[str, str]:
    created = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_ids[0], SubnetId=request["SubnetId"]
    )
    return {"AssociationId": str(created["AssociationId"])}


def _disassociate(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_ids[0], AssociationId=request["AssociationId"]
    )
    return _NOTHING_NEW


def _apply_groups(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    groups = request["SecurityGroupId"]  # the wire name; one group arrives as a plain value
    ec2.apply_security_groups_to_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_ids[0],
        VpcId=request["VpcId"],
        SecurityGroupIds=groups if isinstance(groups, list) else [groups],
    )
    return _NOTHING_NEW


def _create_route(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_ids[0],
        DestinationCidrBlock=request["DestinationCidrBlock"],
        TargetVpcSubnetId=request["TargetVpcSubnetId"],
        **({"Description": request["Description"]} if "Description" in request else {}),
    )
    return _NOTHING_NEW


def _delete_route(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    ec2.delete_client_vpn_route(
        ClientVpnEndpointId=endpoint_ids[0],
        DestinationCidrBlock=request["DestinationCidrBlock"],
        TargetVpcSubnetId=request["TargetVpcSubnetId"],
    )
    return _NOTHING_NEW


def _import_revocation_list(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    ec2.import_client_vpn_client_certificate_revocation_list(
        ClientVpnEndpointId=endpoint_ids[0],
        CertificateRevocationList=request["CertificateRevocationList"],
    )
    return _NOTHING_NEW


def _set_authorization_policy(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    optional = {key: request[key] for key in ("Description", "ShadowMode") if key in request}
    ec2.modify_client_vpn_endpoint_authorization_policy(
        ClientVpnEndpointId=endpoint_ids[0], PolicyDocument=request["PolicyDocument"], **optional
    )
    return _NOTHING_NEW


def _delete_authorization_policy(
    ec2: Any, _request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    ec2.delete_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_ids[0])
    return _NOTHING_NEW


def _create_tags(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    tags = [{"Key": key, "Value": value} for key, value in tag_set(request).items()]
    ec2.create_tags(Resources=list(endpoint_ids), Tags=tags)
    return _NOTHING_NEW


def _delete_tags(
    ec2: Any, request: dict[str, Any], endpoint_ids: Sequence[str]
) -> Mapping[str, str]:
    # An item without a value deletes the key whatever its value (EC2 DeleteTags).
    tags = [{"Key": key} for key in tag_set(request)]
    ec2.delete_tags(Resources=list(endpoint_ids), Tags=tags)
    return _NOTHING_NEW


CALLS: dict[str, Call] = {
    "AuthorizeClientVpnIngress": _authorize,
    "RevokeClientVpnIngress": _revoke,
    "AssociateClientVpnTargetNetwork": _associate,
    "DisassociateClientVpnTargetNetwork": _disassociate,
    "ApplySecurityGroupsToClientVpnTargetNetwork": _apply_groups,
    "CreateClientVpnRoute": _create_route,
    "DeleteClientVpnRoute": _delete_route,
    "ImportClientVpnClientCertificateRevocationList": _import_revocation_list,
    "ModifyClientVpnEndpointAuthorizationPolicy": _set_authorization_policy,
    "DeleteClientVpnEndpointAuthorizationPolicy": _delete_authorization_policy,
    "CreateTags": _create_tags,
    "DeleteTags": _delete_tags,
}
_UNWRAPPED = {"CreateTags", "DeleteTags"}
"""Tag calls are not wrapped (their tagSet is read as it is); the others are."""


def make_recorded_call(
    ec2: Any, sample: SampleEvent, endpoint_ids: Sequence[str]
) -> dict[str, str]:
    """Make ``sample``'s call on ``endpoint_ids``; the ids it created that the sample recorded
    differently, as {the sample's id: the real one} (none for a failed call or a dry run,
    which change nothing, or a call the story makes itself)."""
    call = CALLS.get(sample.event_name)
    if call is None or sample.error_code or not endpoint_ids:
        return {}
    raw: dict[str, Any] = sample.detail.get("requestParameters") or {}
    request: dict[str, Any] = raw if sample.event_name in _UNWRAPPED else plain(unwrap(raw))
    created = call(ec2, request, endpoint_ids)
    recorded = plain(unwrap(sample.detail.get("responseElements") or {}))
    return {
        str(recorded[_response_key(name)]): real_id
        for name, real_id in created.items()
        if isinstance(recorded, Mapping) and _response_key(name) in recorded
    }


def _response_key(name: str) -> str:
    # CloudTrail's response members are the EC2 wire names: associationId, not AssociationId.
    return name[:1].lower() + name[1:]
