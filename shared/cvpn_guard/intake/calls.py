"""The EC2 calls that change what a Client VPN endpoint lets in, and where each names it.

A table, as Cloud Custodian describes resources: adding a call is one row here (and its name
in template.yaml's rule pattern, which a test keeps equal to this table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    """What part of an endpoint a call changed. Values are log fields: keep them stable."""

    CREATED = "endpoint_created"
    MODIFIED = "endpoint_modified"
    AUTHORIZATION_RULES = "authorization_rules"
    TARGET_NETWORKS = "target_networks"
    SECURITY_GROUPS = "security_groups"
    ROUTES = "routes"
    REVOCATION_LIST = "revocation_list"
    AUTHORIZATION_POLICY = "authorization_policy"
    TAGS = "tags"


class IdSource(StrEnum):
    """Where CloudTrail puts the endpoint id(s) of a call."""

    RESPONSE = "responseElements"
    """Create: the id exists only once the call succeeded (``clientVpnEndpointId``)."""
    REQUEST = "requestParameters"
    """Every other Client VPN call names its endpoint (``ClientVpnEndpointId``)."""
    TAGGED_RESOURCES = "requestParameters.resourcesSet.items[].resourceId"
    """CreateTags / DeleteTags: any number of resources of any type, in EC2's old list form."""


@dataclass(frozen=True, slots=True)
class WatchedCall:
    """One call the enforcer reacts to."""

    name: str
    kind: ChangeKind
    change: str
    """What happened, in words for notices ("authorization rule added")."""
    ids: IdSource = IdSource.REQUEST


_CALLS = (
    WatchedCall(
        "CreateClientVpnEndpoint", ChangeKind.CREATED, "endpoint created", IdSource.RESPONSE
    ),
    WatchedCall("ModifyClientVpnEndpoint", ChangeKind.MODIFIED, "endpoint settings modified"),
    WatchedCall(
        "AuthorizeClientVpnIngress", ChangeKind.AUTHORIZATION_RULES, "authorization rule added"
    ),
    WatchedCall(
        "RevokeClientVpnIngress", ChangeKind.AUTHORIZATION_RULES, "authorization rule removed"
    ),
    WatchedCall(
        "AssociateClientVpnTargetNetwork", ChangeKind.TARGET_NETWORKS, "target network associated"
    ),
    WatchedCall(
        "DisassociateClientVpnTargetNetwork",
        ChangeKind.TARGET_NETWORKS,
        "target network disassociated",
    ),
    WatchedCall(
        "ApplySecurityGroupsToClientVpnTargetNetwork",
        ChangeKind.SECURITY_GROUPS,
        "security groups replaced",
    ),
    WatchedCall("CreateClientVpnRoute", ChangeKind.ROUTES, "route added"),
    WatchedCall("DeleteClientVpnRoute", ChangeKind.ROUTES, "route deleted"),
    WatchedCall(
        "ImportClientVpnClientCertificateRevocationList",
        ChangeKind.REVOCATION_LIST,
        "client certificate revocation list imported",
    ),
    WatchedCall(
        "ModifyClientVpnEndpointAuthorizationPolicy",
        ChangeKind.AUTHORIZATION_POLICY,
        "authorization policy set",
    ),
    WatchedCall(
        "DeleteClientVpnEndpointAuthorizationPolicy",
        ChangeKind.AUTHORIZATION_POLICY,
        "authorization policy deleted",
    ),
    # Tags decide exemptions, required-tags and (ModifyOnlyTaggedEndpoints) what IAM lets
    # cvpn-guard fix. The rule pattern passes only tag calls that name a cvpn-endpoint-… id.
    WatchedCall("CreateTags", ChangeKind.TAGS, "tags added or changed", IdSource.TAGGED_RESOURCES),
    WatchedCall("DeleteTags", ChangeKind.TAGS, "tags removed", IdSource.TAGGED_RESOURCES),
)

WATCHED_CALLS: Mapping[str, WatchedCall] = {call.name: call for call in _CALLS}
"""Event name -> how to read it, for every call the enforcer reacts to."""
