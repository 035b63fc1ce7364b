"""How CloudFormation's Client VPN properties become the Describe answers the rules judge.

One table per resource type, data only. ``tests/unit/iac/test_cloudformation_fields.py``
checks each table against the resource schemas cfn-lint ships: every mapped property exists
with the type written here, and every schema property is mapped or listed in the ``UNMAPPED``
table beside it, with the reason.

Sources of the defaults, cited beside each:

- CFN: the AWS::EC2::ClientVpnEndpoint page of the CloudFormation User Guide
  (awsdocs/aws-cloudformation-user-guide, doc_source/aws-resource-ec2-clientvpnendpoint.md),
  which documents defaults for SplitTunnel, TransportProtocol, VpnPort and SelfServicePortal.
- EC2: the EC2 API Reference for CreateClientVpnEndpoint, as botocore 1.44.8's model
  documents it (``CreateClientVpnEndpointRequest`` and its member shapes), for the properties
  added since, whose CloudFormation pages give no default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Shape(StrEnum):
    """How a property's value becomes its Describe field (beyond the key renames)."""

    AS_IS = "as-is"
    """The same value (nested keys renamed by ``renames``)."""
    PORTAL_URL = "portal-url"
    """``SelfServicePortal: enabled`` -> ``SelfServicePortalUrl`` present; ``disabled`` -> absent."""
    ENDPOINT_TAGS = "endpoint-tags"
    """``TagSpecifications`` -> the ``Tags`` of the ``client-vpn-endpoint`` specification."""
    TRUST_PROVIDERS = "trust-providers"
    """``DevicePostureOptions`` -> Describe shows only its ``TrustProviders``."""


@dataclass(frozen=True)
class Default:
    """What the endpoint gets when the template leaves the property out, and who says so."""

    value: Any
    source: str


@dataclass(frozen=True)
class PropertyMapping:
    """One CloudFormation property and the Describe field it sets.

    ``schema_type`` is the property's JSON-schema type in the resource schema (``object`` for
    a ``$ref`` to a definition); ``renames`` renames nested keys at any depth (request names
    to Describe's: ``ClientRootCertificateChainArn`` -> ``ClientRootCertificateChain``).
    """

    property: str
    field: str
    schema_type: str
    shape: Shape = Shape.AS_IS
    default: Default | None = None
    renames: Mapping[str, str] = dataclasses.field(default_factory=dict)


CFN_DOCS = "CloudFormation's default (User Guide, AWS::EC2::ClientVpnEndpoint: {})"
EC2_DOCS = "the EC2 API's default (EC2 API Reference, CreateClientVpnEndpoint: {})"

ENDPOINT_PROPERTIES: tuple[PropertyMapping, ...] = (
    PropertyMapping(
        "AuthenticationOptions",
        "AuthenticationOptions",
        "array",
        renames={
            # Describe spells these differently from the request (botocore output shapes).
            "ClientRootCertificateChainArn": "ClientRootCertificateChain",
            "SAMLProviderArn": "SamlProviderArn",
            "SelfServiceSAMLProviderArn": "SelfServiceSamlProviderArn",
        },
    ),
    PropertyMapping("ClientCidrBlock", "ClientCidrBlock", "string"),
    PropertyMapping(
        "ClientConnectOptions",
        "ClientConnectOptions",
        "object",
        default=Default(
            {"Enabled": False},
            EC2_DOCS.format("ClientConnectOptions.Enabled, 'The default is false'"),
        ),
    ),
    PropertyMapping(
        "ClientLoginBannerOptions",
        "ClientLoginBannerOptions",
        "object",
        default=Default(
            {"Enabled": False},
            EC2_DOCS.format("ClientLoginBannerOptions.Enabled, 'Default value: false'"),
        ),
    ),
    PropertyMapping(
        "ClientRouteEnforcementOptions",
        "ClientRouteEnforcementOptions",
        "object",
        default=Default(
            {"Enforced": False},
            EC2_DOCS.format("ClientRouteEnforcementOptions.Enforced, 'Default value: false'"),
        ),
    ),
    PropertyMapping("ConnectionLogOptions", "ConnectionLogOptions", "object"),
    PropertyMapping("Description", "Description", "string"),
    PropertyMapping(
        "DevicePostureOptions", "DevicePostureOptions", "object", Shape.TRUST_PROVIDERS
    ),
    PropertyMapping(
        "DisconnectOnSessionTimeout",
        "DisconnectOnSessionTimeout",
        "boolean",
        default=Default(
            True,
            EC2_DOCS.format(
                "DisconnectOnSessionTimeout, 'The default value is true' in botocore 1.44.8; it"
                " was documented false before (the Terraform provider's page still says so), so"
                " set it explicitly"
            ),
        ),
    ),
    # No default: "If no DNS server is specified, the DNS address configured on the device is
    # used" (User Guide), and Describe then lists none.
    PropertyMapping("DnsServers", "DnsServers", "array"),
    PropertyMapping(
        "EndpointIpAddressType",
        "EndpointIpAddressType",
        "string",
        default=Default("ipv4", EC2_DOCS.format("EndpointIpAddressType, 'ipv4 (default)'")),
    ),
    # No default here: the VPC's default security group applies when VpcId is given without
    # security groups (User Guide, VpcId); the reader fills that in, knowing the VPC.
    PropertyMapping("SecurityGroupIds", "SecurityGroupIds", "array"),
    PropertyMapping(
        "SelfServicePortal",
        "SelfServicePortalUrl",
        "string",
        Shape.PORTAL_URL,
        default=Default("enabled", CFN_DOCS.format("SelfServicePortal, 'Default Value: enabled'")),
    ),
    PropertyMapping("ServerCertificateArn", "ServerCertificateArn", "string"),
    PropertyMapping(
        "SessionTimeoutHours",
        "SessionTimeoutHours",
        "integer",
        default=Default(24, EC2_DOCS.format("SessionTimeoutHours, 'Default value: 24'")),
    ),
    PropertyMapping(
        "SplitTunnel",
        "SplitTunnel",
        "boolean",
        default=Default(
            False,
            CFN_DOCS.format(
                "SplitTunnel, 'By default, split-tunnel on a VPN endpoint is disabled'"
            ),
        ),
    ),
    PropertyMapping("TagSpecifications", "Tags", "array", Shape.ENDPOINT_TAGS),
    PropertyMapping(
        "TrafficIpAddressType",
        "TrafficIpAddressType",
        "string",
        default=Default("ipv4", EC2_DOCS.format("TrafficIpAddressType, 'ipv4 (default)'")),
    ),
    PropertyMapping("TransitGatewayConfiguration", "TransitGatewayConfiguration", "object"),
    PropertyMapping(
        "TransportProtocol",
        "TransportProtocol",
        "string",
        default=Default("udp", CFN_DOCS.format("TransportProtocol, 'Default value: udp'")),
    ),
    PropertyMapping("VpcId", "VpcId", "string"),
    PropertyMapping(
        "VpnPort",
        "VpnPort",
        "integer",
        default=Default(443, CFN_DOCS.format("VpnPort, 'Default Value: 443'")),
    ),
)
"""``AWS::EC2::ClientVpnEndpoint`` properties -> ``DescribeClientVpnEndpoints`` fields."""

ENDPOINT_UNMAPPED: Mapping[str, str] = {
    "Id": "read-only: the endpoint id CloudFormation returns, known only after deploy",
    "AuthorizationPolicy": (
        "not in the Describe item: it is the endpoint's authorization policy "
        "(GetClientVpnEndpointAuthorizationPolicy), read into DeclaredEndpoint.authorization_policy"
    ),
}
"""Endpoint properties deliberately not mapped to a Describe field, with the reason."""

AUTHORIZATION_POLICY_PROPERTIES: Mapping[str, str] = {
    "PolicyDocument": "PolicyDocument",
    "Description": "Description",
    "ShadowMode": "ShadowMode",
}
"""``AuthorizationPolicy`` keys -> ``GetClientVpnEndpointAuthorizationPolicy`` answer keys."""

# A related resource's properties: CloudFormation name -> Describe field, schema type.
AUTHORIZATION_RULE_PROPERTIES: tuple[PropertyMapping, ...] = (
    PropertyMapping(
        "AuthorizeAllGroups",
        "AccessAll",
        "boolean",
        # "Must be set to true if AccessGroupId is not specified" (the resource schema): absent,
        # the rule grants a group.
        default=Default(False, "CloudFormation's schema: AccessGroupId is required unless true"),
    ),
    PropertyMapping("AccessGroupId", "GroupId", "string"),
    PropertyMapping("TargetNetworkCidr", "DestinationCidr", "string"),
    PropertyMapping("Description", "Description", "string"),
)
"""``AWS::EC2::ClientVpnAuthorizationRule`` -> ``DescribeClientVpnAuthorizationRules`` items."""

ROUTE_PROPERTIES: tuple[PropertyMapping, ...] = (
    PropertyMapping("DestinationCidrBlock", "DestinationCidr", "string"),
    PropertyMapping("TargetVpcSubnetId", "TargetSubnet", "string"),
    PropertyMapping("Description", "Description", "string"),
)
"""``AWS::EC2::ClientVpnRoute`` -> ``DescribeClientVpnRoutes`` items (Origin ``add-route``)."""

ASSOCIATION_PROPERTIES: tuple[PropertyMapping, ...] = (
    PropertyMapping("SubnetId", "TargetSubnet", "string"),
)
"""``AWS::EC2::ClientVpnTargetNetworkAssociation`` -> the route AWS adds for it (Origin
``associate``, to the CIDR of the subnet's VPC)."""

JOIN_PROPERTY = "ClientVpnEndpointId"
"""The property that ties a related resource to its endpoint (``!Ref`` the endpoint)."""

RELATED_UNMAPPED: Mapping[str, str] = {
    JOIN_PROPERTY: "joins the resource to its endpoint (Ref of the endpoint's logical id)",
    "Id": "read-only: the id CloudFormation returns, known only after deploy",
}
"""Properties of the related resources deliberately not mapped, with the reason."""

ASSOCIATION_UNMAPPED: Mapping[str, str] = {
    **RELATED_UNMAPPED,
    "AvailabilityZone": "where the subnet is; no route or rule depends on it",
    "AvailabilityZoneId": "where the subnet is; no route or rule depends on it",
}
"""Target network association properties deliberately not mapped, with the reason."""

ENDPOINT_TYPE = "AWS::EC2::ClientVpnEndpoint"
AUTHORIZATION_RULE_TYPE = "AWS::EC2::ClientVpnAuthorizationRule"
ROUTE_TYPE = "AWS::EC2::ClientVpnRoute"
ASSOCIATION_TYPE = "AWS::EC2::ClientVpnTargetNetworkAssociation"
ENDPOINT_TAG_RESOURCE_TYPE = "client-vpn-endpoint"
"""The ``TagSpecifications[].ResourceType`` whose tags go on the endpoint (EC2 ResourceType)."""
