"""Terraform's Client VPN arguments -> the Describe fields the rules judge: one table, two readers.

The plan reader (:mod:`cvpn_guard.iac.terraform_plan`) and the ``.tf`` reader
(:mod:`cvpn_guard.iac.terraform_hcl`) both end with the arguments of a resource in
Terraform's own shape (nested blocks as lists of objects, ``tags`` a map) and hand them to
the builders here, which spell them as ``DescribeClientVpnEndpoints``,
``DescribeClientVpnAuthorizationRules`` and ``DescribeClientVpnRoutes`` items.

Sources of the table (``tests/fixtures/iac/terraform/provider-arguments.json`` keeps the
documented arguments, with the repository, path and commit they were read from; a test checks
every documented argument is mapped here or listed in ``UNMAPPED`` with a reason):

- the AWS provider's docs, ``website/docs/r/ec2_client_vpn_endpoint.html.markdown`` and the
  pages of ``aws_ec2_client_vpn_authorization_rule``, ``aws_ec2_client_vpn_route`` and
  ``aws_ec2_client_vpn_network_association``;
- its schema, ``internal/service/ec2/vpnclient_endpoint.go``: ``disconnect_on_session_timeout``
  is ``Optional + Computed`` with no ``Default``, and Create sends it only when set, so an
  endpoint that leaves it out gets the EC2 API's default (botocore's CreateClientVpnEndpoint
  docs: ``true``; the provider's page still says ``false``, the API's earlier default);
- botocore's EC2 model for the API's defaults where the provider has none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cvpn_guard.rules.base import Needs

ENDPOINT = "aws_ec2_client_vpn_endpoint"
AUTHORIZATION_RULE = "aws_ec2_client_vpn_authorization_rule"
ROUTE = "aws_ec2_client_vpn_route"
NETWORK_ASSOCIATION = "aws_ec2_client_vpn_network_association"
RELATED = (AUTHORIZATION_RULE, ROUTE, NETWORK_ASSOCIATION)
"""The resources joined to their endpoint by ``client_vpn_endpoint_id``."""
ENDPOINT_ID_ARGUMENT = "client_vpn_endpoint_id"

PROVIDER = "the Terraform provider's default"
EC2_API = "the EC2 API's default"


@dataclass(frozen=True)
class Unresolved:
    """A value the file does not tell: why (the expression, ``known after apply``)."""

    reason: str


@dataclass(frozen=True)
class Argument:
    """One argument of a resource and the Describe field it sets.

    Attributes
    ----------
    path : str
        The argument, nested block members after a dot (``client_login_banner_options.enabled``).
    field : str
        The Describe field, nested members after a dot; ``AuthenticationOptions`` members are
        per option (``MutualAuthentication.ClientRootCertificateChain``).
    default : Any
        The value an endpoint gets when the argument is left out (``None``: no default).
    default_source : str
        Whose default it is and where it is documented, for ``DeclaredEndpoint.defaulted``.
    """

    path: str
    field: str
    default: Any = None
    default_source: str = ""

    @property
    def top(self) -> str:
        """The top-level Describe field, the key rules read (``Rule.reads``)."""
        return self.field.split(".", 1)[0]

    @property
    def defaulted(self) -> str:
        """The ``defaulted`` note: whose default, with the argument spelled as Terraform does."""
        shown = self.default if not isinstance(self.default, bool) else str(self.default).lower()
        if isinstance(shown, str) and not isinstance(self.default, bool):
            shown = f'"{shown}"'
        return f"{self.default_source} ({self.path} = {shown})"


def _provider(path: str, fld: str, default: Any) -> Argument:
    return Argument(path, fld, default, PROVIDER)


ENDPOINT_ARGUMENTS: Final[tuple[Argument, ...]] = (
    Argument("client_cidr_block", "ClientCidrBlock"),
    Argument("description", "Description"),
    Argument("dns_servers", "DnsServers"),
    _provider("split_tunnel", "SplitTunnel", False),
    _provider("transport_protocol", "TransportProtocol", "udp"),
    _provider("vpn_port", "VpnPort", 443),
    _provider("session_timeout_hours", "SessionTimeoutHours", 24),
    # No provider default (Optional + Computed, sent only when set): the API's, which changed
    # from false to true (botocore's CreateClientVpnEndpoint docs now say true).
    Argument(
        "disconnect_on_session_timeout",
        "DisconnectOnSessionTimeout",
        True,
        EC2_API + ", documented as false before and true now",
    ),
    # Describe has no SelfServicePortal: SelfServicePortalUrl is present exactly when it is on.
    _provider("self_service_portal", "SelfServicePortalUrl", "disabled"),
    Argument("server_certificate_arn", "ServerCertificateArn"),
    Argument("security_group_ids", "SecurityGroupIds"),
    Argument("vpc_id", "VpcId"),
    _provider("endpoint_ip_address_type", "EndpointIpAddressType", "ipv4"),
    _provider("traffic_ip_address_type", "TrafficIpAddressType", "ipv4"),
    Argument("tags", "Tags"),
    _provider("client_login_banner_options.enabled", "ClientLoginBannerOptions.Enabled", False),
    Argument("client_login_banner_options.banner_text", "ClientLoginBannerOptions.BannerText"),
    _provider(
        "client_route_enforcement_options.enforced", "ClientRouteEnforcementOptions.Enforced", False
    ),
    _provider("client_connect_options.enabled", "ClientConnectOptions.Enabled", False),
    Argument(
        "client_connect_options.lambda_function_arn", "ClientConnectOptions.LambdaFunctionArn"
    ),
    Argument("connection_log_options.enabled", "ConnectionLogOptions.Enabled"),
    Argument(
        "connection_log_options.cloudwatch_log_group", "ConnectionLogOptions.CloudwatchLogGroup"
    ),
    Argument(
        "connection_log_options.cloudwatch_log_stream", "ConnectionLogOptions.CloudwatchLogStream"
    ),
    Argument("authentication_options.type", "AuthenticationOptions.Type"),
    Argument(
        "authentication_options.root_certificate_chain_arn",
        "AuthenticationOptions.MutualAuthentication.ClientRootCertificateChain",
    ),
    Argument(
        "authentication_options.saml_provider_arn",
        "AuthenticationOptions.FederatedAuthentication.SamlProviderArn",
    ),
    Argument(
        "authentication_options.self_service_saml_provider_arn",
        "AuthenticationOptions.FederatedAuthentication.SelfServiceSamlProviderArn",
    ),
    Argument(
        "authentication_options.active_directory_id",
        "AuthenticationOptions.ActiveDirectory.DirectoryId",
    ),
    Argument(
        "transit_gateway_configuration.transit_gateway_id",
        "TransitGatewayConfiguration.TransitGatewayId",
    ),
    Argument(
        "transit_gateway_configuration.availability_zones",
        "TransitGatewayConfiguration.AvailabilityZones",
    ),
    Argument(
        "transit_gateway_configuration.availability_zone_ids",
        "TransitGatewayConfiguration.AvailabilityZoneIds",
    ),
)
"""``aws_ec2_client_vpn_endpoint`` -> ``DescribeClientVpnEndpoints``."""

AUTHORIZATION_RULE_ARGUMENTS: Final[tuple[Argument, ...]] = (
    Argument("target_network_cidr", "DestinationCidr"),
    Argument("access_group_id", "GroupId"),
    # A rule for one group (access_group_id) does not grant all: Describe's AccessAll is false.
    Argument("authorize_all_groups", "AccessAll", False),
    Argument("description", "Description"),
)
"""``aws_ec2_client_vpn_authorization_rule`` -> ``DescribeClientVpnAuthorizationRules``."""

ROUTE_ARGUMENTS: Final[tuple[Argument, ...]] = (
    Argument("destination_cidr_block", "DestinationCidr"),
    Argument("target_vpc_subnet_id", "TargetSubnet"),
    Argument("description", "Description"),
)
"""``aws_ec2_client_vpn_route`` -> ``DescribeClientVpnRoutes`` (Origin ``add-route``)."""

NETWORK_ASSOCIATION_ARGUMENTS: Final[tuple[Argument, ...]] = (
    # The association adds a route to its VPC's CIDR through the subnet (Origin associate).
    Argument("subnet_id", "TargetSubnet"),
)
"""``aws_ec2_client_vpn_network_association`` -> the route it adds to ``DescribeClientVpnRoutes``."""

ARGUMENTS: Final[Mapping[str, tuple[Argument, ...]]] = {
    ENDPOINT: ENDPOINT_ARGUMENTS,
    AUTHORIZATION_RULE: AUTHORIZATION_RULE_ARGUMENTS,
    ROUTE: ROUTE_ARGUMENTS,
    NETWORK_ASSOCIATION: NETWORK_ASSOCIATION_ARGUMENTS,
}

_JOIN = "the endpoint the resource belongs to: it joins the resource to its endpoint"
_REGION = "where the resource is managed, not a property of the endpoint Describe shows"
UNMAPPED: Final[Mapping[str, Mapping[str, str]]] = {
    ENDPOINT: {
        "region": _REGION,
        "authentication_options": "a block: its members are mapped",
        "client_connect_options": "a block: its members are mapped",
        "client_login_banner_options": "a block: its members are mapped",
        "client_route_enforcement_options": "a block: its members are mapped",
        "connection_log_options": "a block: its members are mapped",
        "transit_gateway_configuration": "a block: its members are mapped",
    },
    AUTHORIZATION_RULE: {ENDPOINT_ID_ARGUMENT: _JOIN},
    ROUTE: {ENDPOINT_ID_ARGUMENT: _JOIN},
    NETWORK_ASSOCIATION: {
        ENDPOINT_ID_ARGUMENT: _JOIN,
        "security_groups": (
            "deprecated in favour of the endpoint's security_group_ids, which is mapped; the"
            " rules read the endpoint's SecurityGroupIds"
        ),
    },
}
"""Documented arguments deliberately left out of the Describe items, with the reason."""

LIVE_ONLY: Final[Mapping[str, str]] = {
    Needs.REVOCATION_LIST.value: (
        "the client certificate revocation list is imported through the EC2 API"
        " (ImportClientVpnClientCertificateRevocationList); the AWS provider has no argument"
        " or resource for it"
    ),
    Needs.AUTHORIZATION_POLICY.value: (
        "the endpoint's authorization policy is set through the EC2 API; the AWS provider has"
        " no resource for it"
    ),
    "DevicePostureOptions": "the AWS provider has no argument for device posture",
}
"""What no Terraform file can tell (``DeclaredEndpoint.unknown``)."""

SELF_SERVICE_PORTAL_URL = "https://self-service.clientvpn.amazonaws.com/endpoints/{}"
"""Describe's URL of an endpoint's portal (the rules only ask whether it is present)."""

_ID_PREFIXES: Final[Mapping[str, str]] = {
    "aws_security_group": "sg",
    "aws_vpc": "vpc",
    "aws_subnet": "subnet",
    "aws_ec2_transit_gateway": "tgw",
}


def placeholder_id(address: str, attribute: str = "id") -> str:
    """A stable id for a resource the file creates, in the shape of the real one.

    Any real id satisfies the rules as well as another (they compare ids with ids, never
    with a value of the policy's), so the address stands for the id the apply will give:
    ``aws_security_group.vpn`` -> ``sg-`` and 17 hex digits of its digest. The default
    security group of ``aws_vpc.main`` (``aws_vpc.main.default_security_group_id``) is an
    ``sg-`` id of its own.
    """
    kind = address.split("[", 1)[0].rsplit(".", 2)[-2] if "." in address else address
    digest = hashlib.sha256(f"{address}.{attribute}".encode()).hexdigest()[:17]
    if attribute == "default_security_group_id":
        return f"sg-{digest}"
    if attribute == "arn":
        return f"arn:aws:terraform:::{address}"
    prefix = _ID_PREFIXES.get(kind)
    return f"{prefix}-{digest}" if prefix else address


@dataclass
class DescribeParts:
    """A Describe item built from a resource's arguments, and what went into it."""

    item: dict[str, Any] = field(default_factory=dict)
    defaulted: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)


def endpoint_describe(values: Mapping[str, Any], endpoint_id: str) -> DescribeParts:
    """The ``DescribeClientVpnEndpoints`` item an endpoint's arguments create.

    Parameters
    ----------
    values : Mapping[str, Any]
        Argument -> value in Terraform's shape (blocks as lists of objects, ``tags`` a map);
        an :class:`Unresolved` wherever the file does not tell the value. An argument left
        out (or null) takes its default.
    endpoint_id : str
        ``ClientVpnEndpointId``: the live id where the plan knows it, else the address.

    Returns
    -------
    DescribeParts
        The item without its unresolved fields, the defaults used and the unresolved fields
        (top-level Describe field -> why).
    """
    parts = DescribeParts(item={"ClientVpnEndpointId": endpoint_id})
    for argument in ENDPOINT_ARGUMENTS:
        if argument.path.startswith("authentication_options."):
            continue
        value = _lookup(values, argument.path)
        if isinstance(value, Unresolved):
            parts.unresolved.setdefault(argument.top, value.reason)
            continue
        if value is None:
            if argument.default is None:
                continue
            value = argument.default
            parts.defaulted.setdefault(argument.top, argument.defaulted)
        _place(parts.item, argument, value, endpoint_id)
    _authentication(values.get("authentication_options"), parts)
    for top in parts.unresolved:
        parts.item.pop(top, None)
    return parts


def _place(item: dict[str, Any], argument: Argument, value: Any, endpoint_id: str) -> None:
    if argument.path == "self_service_portal":
        if value == "enabled":
            item["SelfServicePortalUrl"] = SELF_SERVICE_PORTAL_URL.format(endpoint_id)
        return
    if argument.path == "tags":
        item["Tags"] = [{"Key": str(k), "Value": str(v)} for k, v in dict(value).items()]
        return
    if argument.path in ("dns_servers", "security_group_ids"):
        value = list(value)
    top, _, member = argument.field.partition(".")
    if member:
        item.setdefault(top, {})[member] = _plain(value)
    else:
        item[top] = _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return list(value)
    return value


def _authentication(blocks: Any, parts: DescribeParts) -> None:
    if isinstance(blocks, Unresolved):
        parts.unresolved["AuthenticationOptions"] = blocks.reason
        return
    options: list[dict[str, Any]] = []
    for block in blocks or ():
        option: dict[str, Any] = {}
        for argument in ENDPOINT_ARGUMENTS:
            if not argument.path.startswith("authentication_options."):
                continue
            value = block.get(argument.path.split(".", 1)[1])
            if isinstance(value, Unresolved):
                parts.unresolved.setdefault("AuthenticationOptions", value.reason)
                continue
            if value is None:
                continue
            _, *members = argument.field.split(".")
            if len(members) == 1:
                option[members[0]] = value
            else:
                option.setdefault(members[0], {})[members[1]] = value
        options.append(option)
    if options:
        parts.item["AuthenticationOptions"] = options


def _lookup(values: Mapping[str, Any], path: str) -> Any:
    name, _, member = path.partition(".")
    value = values.get(name)
    if not member or value is None or isinstance(value, Unresolved):
        return value
    blocks = list(value) if isinstance(value, list | tuple) else [value]
    if not blocks:
        return None
    block = blocks[0]
    if isinstance(block, Unresolved):
        return block
    return block.get(member) if isinstance(block, Mapping) else None


def related_item(
    kind: str, values: Mapping[str, Any], endpoint_id: str
) -> tuple[dict[str, Any] | None, str | None]:
    """The Describe item of an authorization rule or a route, or why it cannot be told.

    Returns
    -------
    tuple[dict[str, Any] | None, str | None]
        The item (``Status`` active, routes with Origin ``add-route``), or None and the
        reason (the first unresolved argument's).
    """
    item: dict[str, Any] = {"ClientVpnEndpointId": endpoint_id}
    for argument in ARGUMENTS[kind]:
        value = values.get(argument.path)
        if isinstance(value, Unresolved):
            return None, f"{argument.path}: {value.reason}"
        if value is None:
            value = argument.default
        if value is not None:
            item[argument.field] = value
    if kind == ROUTE:
        item |= {"Type": "Nat", "Origin": "add-route"}
    item["Status"] = {"Code": "active"}
    return item, None


def association_route(vpc_cidr: str, subnet_id: str, endpoint_id: str) -> dict[str, Any]:
    """The route AWS adds when a subnet is associated: to its VPC's CIDR, Origin associate.

    AWS Client VPN Administrator Guide, "Routes": associating a target network adds a route
    to the VPC's CIDR through that subnet.
    """
    return {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidr": vpc_cidr,
        "TargetSubnet": subnet_id,
        "Type": "Nat",
        "Origin": "associate",
        "Status": {"Code": "active"},
    }
