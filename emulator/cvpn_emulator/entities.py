"""The resources of the Client VPN emulation and their Describe shapes.

Option structures are stored already converted to the *output* shape (what Describe
returns: ``ClientRootCertificateChain``, ``SamlProviderArn``, ``DnsServers`` as a list),
because moto's serializer silently drops keys the output shape does not know.
"""

from __future__ import annotations

import ipaddress
import json
import random
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from moto.core.common_models import BaseModel
from moto.ec2.utils import random_id

from .exceptions import IncorrectEndpointState
from .paging import OrderedIndex

ENDPOINT_ID_PREFIX = "cvpn-endpoint"
ASSOCIATION_ID_PREFIX = "cvpn-assoc"
CONNECTION_ID_PREFIX = "cvpn-connection"
TGW_ATTACHMENT_ID_PREFIX = "tgw-attach"
SELF_SERVICE_PORTAL_URL = "https://self-service.clientvpn.amazonaws.com/endpoints/{endpoint_id}"
DNS_NAME = "*.{endpoint_id}.prod.clientvpn.{region}.amazonaws.com"
# Documented defaults of CreateClientVpnEndpoint (botocore 1.44 docs).
DEFAULT_TRANSPORT_PROTOCOL = "udp"
DEFAULT_VPN_PORT = 443
DEFAULT_SESSION_TIMEOUT_HOURS = 24
DEFAULT_SELF_SERVICE_PORTAL = "enabled"
DEFAULT_DISCONNECT_ON_SESSION_TIMEOUT = True
DEFAULT_IP_ADDRESS_TYPE = "ipv4"
UNMODIFIABLE_STATUSES = ("deleting", "deleted")
# DescribeClientVpnRoutes' Origin values (API reference) and the target of a client-to-client route.
ROUTE_ORIGIN_ASSOCIATE = "associate"
ROUTE_ORIGIN_ADD_ROUTE = "add-route"
LOCAL_ROUTE_TARGET = "local"
# What AWS CLI examples show on the route an association adds.
ASSOCIATION_ROUTE_DESCRIPTION = "Default Route"
DEFAULT_SHADOW_MODE = "disabled"

Json = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


def _endpoint_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _connection_time(moment: datetime) -> str:
    # DescribeClientVpnConnections uses a space, not a "T" (AWS CLI examples).
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _tag_list(tags: Mapping[str, str]) -> list[Json]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def fingerprint(request: Mapping[str, Any]) -> str:
    return json.dumps(request, sort_keys=True, default=str)


class ClientVpnConnection(BaseModel):
    def __init__(
        self,
        endpoint_id: str,
        username: str,
        client_ip: str | None,
        established_at: datetime,
    ) -> None:
        self.id = random_id(CONNECTION_ID_PREFIX)
        self.endpoint_id = endpoint_id
        self.username = username
        self.client_ip = client_ip
        self.established_at = established_at
        self.ended_at: datetime | None = None
        self.status = "active"
        self.ingress_bytes = random.randint(10_000, 10_000_000)  # noqa: S311 - fake traffic
        self.egress_bytes = random.randint(10_000, 10_000_000)  # noqa: S311

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def terminate(self, moment: datetime) -> None:
        if self.is_active:
            self.status = "terminated"
            self.ended_at = moment

    def describe(self, moment: datetime) -> Json:
        result: Json = {
            "ClientVpnEndpointId": self.endpoint_id,
            "Timestamp": _connection_time(moment),
            "ConnectionId": self.id,
            "Username": self.username,
            "ConnectionEstablishedTime": _connection_time(self.established_at),
            "IngressBytes": str(self.ingress_bytes),
            "EgressBytes": str(self.egress_bytes),
            "IngressPackets": str(self.ingress_bytes // 1000),
            "EgressPackets": str(self.egress_bytes // 1000),
            "CommonName": f"{self.username}.domain.tld",
            "Status": {"Code": self.status},
            # AWS reports "-" until the connection ends (AWS CLI examples).
            "ConnectionEndTime": _connection_time(self.ended_at) if self.ended_at else "-",
        }
        if self.client_ip:
            result["ClientIp"] = self.client_ip
        return result


class TargetNetworkAssociation(BaseModel):
    def __init__(
        self,
        endpoint_id: str,
        target_network_id: str,
        vpc_id: str | None,
        availability_zone: str | None,
        availability_zone_id: str | None,
    ) -> None:
        self.id = random_id(ASSOCIATION_ID_PREFIX)
        self.endpoint_id = endpoint_id
        self.target_network_id = target_network_id
        self.vpc_id = vpc_id
        self.availability_zone = availability_zone
        self.availability_zone_id = availability_zone_id
        self.status = "associated"

    def describe(self, security_group_ids: list[str]) -> Json:
        result: Json = {
            "AssociationId": self.id,
            "TargetNetworkId": self.target_network_id,
            "ClientVpnEndpointId": self.endpoint_id,
            "Status": {"Code": self.status},
            "SecurityGroups": list(security_group_ids),
        }
        if self.vpc_id:
            result["VpcId"] = self.vpc_id
        else:
            result["AvailabilityZones"] = [self.availability_zone] if self.availability_zone else []
            result["AvailabilityZoneIds"] = (
                [self.availability_zone_id] if self.availability_zone_id else []
            )
        return result


class AuthorizationRule(BaseModel):
    def __init__(
        self, endpoint_id: str, destination_cidr: str, group_id: str | None, description: str | None
    ) -> None:
        self.endpoint_id = endpoint_id
        self.destination_cidr = destination_cidr
        self.group_id = group_id
        self.description = description
        self.status = "active"

    @staticmethod
    def key_for(destination_cidr: str, group_id: str | None) -> str:
        return f"{destination_cidr}|{group_id or '*'}"

    @property
    def key(self) -> str:
        return self.key_for(self.destination_cidr, self.group_id)

    def describe(self) -> Json:
        result: Json = {
            "ClientVpnEndpointId": self.endpoint_id,
            # AWS reports an empty GroupId, not a missing one, for access-all rules.
            "GroupId": self.group_id or "",
            "AccessAll": self.group_id is None,
            "DestinationCidr": self.destination_cidr,
            "Status": {"Code": self.status},
        }
        if self.description is not None:
            result["Description"] = self.description
        return result


class ClientVpnRoute(BaseModel):
    """One entry of an endpoint's route table, keyed by destination and target subnet."""

    def __init__(
        self,
        endpoint_id: str,
        destination_cidr: str,
        target_subnet: str | None,
        origin: str,
        description: str | None,
        *,
        transit_gateway_attachment_id: str | None = None,
    ) -> None:
        self.endpoint_id = endpoint_id
        self.destination_cidr = destination_cidr
        self.target_subnet = target_subnet
        self.origin = origin
        self.description = description
        self.transit_gateway_attachment_id = transit_gateway_attachment_id
        self.status = "active"

    @classmethod
    def for_association(cls, endpoint_id: str, subnet_id: str, vpc_cidr: str) -> ClientVpnRoute:
        """The route to the VPC that AWS adds when a subnet is associated."""
        return cls(
            endpoint_id, vpc_cidr, subnet_id, ROUTE_ORIGIN_ASSOCIATE, ASSOCIATION_ROUTE_DESCRIPTION
        )

    @staticmethod
    def key_for(destination_cidr: str, target_subnet: str | None) -> str:
        # The same destination may be reached through each associated subnet (AWS advises
        # identical route sets per subnet), so the target is part of the identity.
        return f"{destination_cidr}|{target_subnet or '*'}"

    @property
    def key(self) -> str:
        return self.key_for(self.destination_cidr, self.target_subnet)

    @property
    def route_type(self) -> str:
        # AWS CLI examples show "Nat" for routes of both origins; a route to the client
        # network itself is not translated.
        return "local" if self.target_subnet == LOCAL_ROUTE_TARGET else "Nat"

    def describe(self) -> Json:
        result: Json = {
            "ClientVpnEndpointId": self.endpoint_id,
            "DestinationCidr": self.destination_cidr,
        }
        if self.target_subnet:
            result["TargetSubnet"] = self.target_subnet
        result |= {
            "Type": self.route_type,
            "Origin": self.origin,
            "Status": {"Code": self.status},
        }
        if self.description is not None:
            result["Description"] = self.description
        if self.transit_gateway_attachment_id:
            result["TransitGatewayAttachmentId"] = self.transit_gateway_attachment_id
        return result


class CertificateRevocationList(BaseModel):
    """The one client certificate revocation list an endpoint holds (an import replaces it)."""

    def __init__(self, pem: str) -> None:
        self.pem = pem
        self.status = "active"

    def export(self) -> Json:
        return {"CertificateRevocationList": self.pem, "Status": {"Code": self.status}}


class AuthorizationPolicy(BaseModel):
    """The one Cedar authorization policy an endpoint may have."""

    def __init__(self, document: str, description: str | None, shadow_mode: str) -> None:
        self.document = document
        self.description = description
        self.shadow_mode = shadow_mode
        self.status = "active"

    def update(
        self, document: str | None, description: str | None, shadow_mode: str | None
    ) -> None:
        """AWS: members a Modify names replace the stored ones; the others stay."""
        if document is not None:
            self.document = document
        if description is not None:
            self.description = description
        if shadow_mode is not None:
            self.shadow_mode = shadow_mode

    def describe(self, endpoint_id: str) -> Json:
        result: Json = {"ClientVpnEndpointId": endpoint_id, "PolicyDocument": self.document}
        if self.description is not None:
            result["Description"] = self.description
        return result | {"ShadowMode": self.shadow_mode, "Status": self.status}


class ClientVpnEndpoint(BaseModel):
    """One endpoint; option structures are stored in Describe's (output) shape names."""

    def __init__(self, region: str, request: Mapping[str, Any], security_group_ids: list[str]):
        self.id = random_id(ENDPOINT_ID_PREFIX)
        self.region = region
        self.created_at = now()
        self.status = "pending-associate"
        self.description: str | None = request.get("Description")
        self.client_cidr_block: str | None = request.get("ClientCidrBlock")
        self.dns_servers: list[str] = list(request.get("DnsServers") or [])
        self.split_tunnel = bool(request.get("SplitTunnel", False))
        self.transport_protocol = request.get("TransportProtocol") or DEFAULT_TRANSPORT_PROTOCOL
        self.vpn_port = request.get("VpnPort") or DEFAULT_VPN_PORT
        self.server_certificate_arn: str = request["ServerCertificateArn"]
        self.authentication_options = [
            _authentication_response(option) for option in request["AuthenticationOptions"]
        ]
        self.connection_log_options = self.connection_log_for(request["ConnectionLogOptions"])
        self.vpc_id: str | None = request.get("VpcId")
        self.security_group_ids = security_group_ids
        self.self_service_portal = request.get("SelfServicePortal") or DEFAULT_SELF_SERVICE_PORTAL
        self.client_connect_options = client_connect_response(request.get("ClientConnectOptions"))
        self.session_timeout_hours = (
            request.get("SessionTimeoutHours") or DEFAULT_SESSION_TIMEOUT_HOURS
        )
        self.login_banner_options = banner_response(request.get("ClientLoginBannerOptions"))
        self.route_enforcement = route_enforcement_response(
            request.get("ClientRouteEnforcementOptions")
        )
        self.disconnect_on_session_timeout = request.get(
            "DisconnectOnSessionTimeout", DEFAULT_DISCONNECT_ON_SESSION_TIMEOUT
        )
        self.endpoint_ip_address_type = (
            request.get("EndpointIpAddressType") or DEFAULT_IP_ADDRESS_TYPE
        )
        self.traffic_ip_address_type = (
            request.get("TrafficIpAddressType") or DEFAULT_IP_ADDRESS_TYPE
        )
        self.transit_gateway_configuration = _transit_gateway_response(
            request.get("TransitGatewayConfiguration")
        )
        self.trust_providers = trust_providers(request.get("DevicePostureOptions"))
        self.associations: OrderedIndex[TargetNetworkAssociation] = OrderedIndex()
        self.rules: OrderedIndex[AuthorizationRule] = OrderedIndex()
        self.connections: OrderedIndex[ClientVpnConnection] = OrderedIndex()
        self.routes: OrderedIndex[ClientVpnRoute] = OrderedIndex()
        self.revocation_list: CertificateRevocationList | None = None
        self.authorization_policy: AuthorizationPolicy | None = None

    @property
    def dns_name(self) -> str:
        return DNS_NAME.format(endpoint_id=self.id, region=self.region)

    def connection_log_for(self, options: Mapping[str, Any]) -> Json:
        return _connection_log_response(options, self.id, self.region)

    def ensure_modifiable(self, action: str) -> None:
        if self.status in UNMODIFIABLE_STATUSES:
            raise IncorrectEndpointState(self.id, self.status, action)

    def describe(self, tags: Mapping[str, str]) -> Json:
        result: Json = {"ClientVpnEndpointId": self.id}
        if self.description is not None:
            result["Description"] = self.description
        result |= {
            "Status": {"Code": self.status},
            "CreationTime": _endpoint_time(self.created_at),
            "DnsName": self.dns_name,
        }
        if self.client_cidr_block:
            result["ClientCidrBlock"] = self.client_cidr_block
        result |= {
            "DnsServers": list(self.dns_servers),
            "SplitTunnel": self.split_tunnel,
            "VpnProtocol": "openvpn",
            "TransportProtocol": self.transport_protocol,
            "VpnPort": self.vpn_port,
            "AssociatedTargetNetworks": self._associated_target_networks(),
            "ServerCertificateArn": self.server_certificate_arn,
            "AuthenticationOptions": self.authentication_options,
            "ConnectionLogOptions": self.connection_log_options,
            "Tags": _tag_list(tags),
            "SecurityGroupIds": list(self.security_group_ids),
        }
        return result | self._describe_options()

    def _describe_options(self) -> Json:
        result: Json = {}
        if self.vpc_id:
            result["VpcId"] = self.vpc_id
        if self.self_service_portal == "enabled":
            result["SelfServicePortalUrl"] = SELF_SERVICE_PORTAL_URL.format(endpoint_id=self.id)
        result |= {
            "ClientConnectOptions": self.client_connect_options,
            "SessionTimeoutHours": self.session_timeout_hours,
            "ClientLoginBannerOptions": self.login_banner_options,
            "ClientRouteEnforcementOptions": self.route_enforcement,
            "DisconnectOnSessionTimeout": self.disconnect_on_session_timeout,
            "EndpointIpAddressType": self.endpoint_ip_address_type,
            "TrafficIpAddressType": self.traffic_ip_address_type,
        }
        if self.transit_gateway_configuration:
            result["TransitGatewayConfiguration"] = self.transit_gateway_configuration
        if self.trust_providers:
            result["DevicePostureOptions"] = {"TrustProviders": self.trust_providers}
        return result

    def _associated_target_networks(self) -> list[Json]:
        return [
            {"NetworkId": association.target_network_id, "NetworkType": "vpc"}
            for association in self.associations.values()
            if association.vpc_id
        ]

    def remove_routes_through(self, subnet_id: str) -> None:
        """A route cannot outlive its subnet's association (AWS deletes the VPC route then)."""
        for route in self.routes.values():
            if route.target_subnet == subnet_id:
                self.routes.remove(route.key)

    def active_connections(self) -> list[ClientVpnConnection]:
        return [connection for connection in self.connections.values() if connection.is_active]

    def terminate_connections(
        self, should_end: Callable[[ClientVpnConnection], bool] = lambda _: True
    ) -> list[ClientVpnConnection]:
        moment = now()
        ended = [connection for connection in self.active_connections() if should_end(connection)]
        for connection in ended:
            connection.terminate(moment)
        return ended

    def next_client_ip(self) -> str | None:
        if not self.client_cidr_block:
            return None
        network = ipaddress.ip_network(self.client_cidr_block, strict=False)
        # Skip the network address and the first host, as a VPN server would.
        offset = 2 + len(self.connections) % max(network.num_addresses - 3, 1)
        return str(network.network_address + offset)


def _authentication_response(option: Mapping[str, Any]) -> Json:
    result: Json = {"Type": option["Type"]}
    if directory := option.get("ActiveDirectory"):
        result["ActiveDirectory"] = {"DirectoryId": directory.get("DirectoryId")}
    if mutual := option.get("MutualAuthentication"):
        result["MutualAuthentication"] = {
            "ClientRootCertificateChain": mutual.get("ClientRootCertificateChainArn")
        }
    if federated := option.get("FederatedAuthentication"):
        saml: Json = {"SamlProviderArn": federated.get("SAMLProviderArn")}
        if federated.get("SelfServiceSAMLProviderArn"):
            saml["SelfServiceSamlProviderArn"] = federated["SelfServiceSAMLProviderArn"]
        result["FederatedAuthentication"] = saml
    return result


def _connection_log_response(options: Mapping[str, Any], endpoint_id: str, region: str) -> Json:
    result: Json = {"Enabled": bool(options.get("Enabled"))}
    if result["Enabled"]:
        result["CloudwatchLogGroup"] = options["CloudwatchLogGroup"]
        result["CloudwatchLogStream"] = options.get("CloudwatchLogStream") or _log_stream_name(
            endpoint_id, region
        )
    if "IncludeAuthorizationPolicyContext" in options:
        result["IncludeAuthorizationPolicyContext"] = bool(
            options["IncludeAuthorizationPolicyContext"]
        )
    return result


def _log_stream_name(endpoint_id: str, region: str) -> str:
    # Client VPN creates a stream when none is named; the format follows AWS examples.
    suffix = "".join(random.choices(string.ascii_letters + string.digits, k=12))  # noqa: S311
    return f"{endpoint_id}-{region}-{now():%Y/%m/%d}-{suffix}"


def client_connect_response(options: Mapping[str, Any] | None) -> Json:
    options = options or {}
    result: Json = {"Enabled": bool(options.get("Enabled"))}
    if options.get("LambdaFunctionArn"):
        result["LambdaFunctionArn"] = options["LambdaFunctionArn"]
    result["Status"] = {"Code": "applied"}
    return result


def banner_response(options: Mapping[str, Any] | None) -> Json:
    options = options or {}
    result: Json = {"Enabled": bool(options.get("Enabled"))}
    if result["Enabled"]:
        result["BannerText"] = options["BannerText"]
    return result


def route_enforcement_response(options: Mapping[str, Any] | None) -> Json:
    return {"Enforced": bool((options or {}).get("Enforced"))}


def _transit_gateway_response(configuration: Mapping[str, Any] | None) -> Json | None:
    if not configuration:
        return None
    result: Json = {
        "TransitGatewayId": configuration["TransitGatewayId"],
        "TransitGatewayAttachmentId": random_id(TGW_ATTACHMENT_ID_PREFIX),
    }
    if configuration.get("AvailabilityZones"):
        result["AvailabilityZones"] = list(configuration["AvailabilityZones"])
    if configuration.get("AvailabilityZoneIds"):
        result["AvailabilityZoneIds"] = list(configuration["AvailabilityZoneIds"])
    return result


def trust_providers(options: Mapping[str, Any] | None) -> list[Json]:
    if not options or options.get("Enabled") is False:
        return []
    return [dict(provider) for provider in options.get("TrustProviders") or []]
