"""Client VPN state and behaviour, per account and region (moto's ``models`` module).

The state lives on moto's own ``EC2Backend`` (one per account and region) behind a
lazily created attribute: ``EC2Backend.__init__`` only initialises the mixins in its own
MRO, and ``reset()`` replaces the backend's ``__dict__``, so a lazy attribute is both
created on first use and wiped by every moto reset without any extra hook.

Every public backend method validates first and honours ``dry_run`` only after the
request is known to be valid, as EC2 does.
"""

from __future__ import annotations

import ipaddress
import json
import random
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.core.common_models import BaseModel
from moto.ec2.exceptions import DryRunClientError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.utils import random_id

from . import validation as check
from .exceptions import (
    AssociationNotFound,
    AuthorizationRuleNotFound,
    ConnectionNotFound,
    ConnectionUserNotFound,
    DuplicateAssociation,
    DuplicateAuthorizationRule,
    DuplicateAvailabilityZone,
    EndpointHasTargetNetworks,
    IdempotentParameterMismatch,
    IncorrectEndpointState,
    InvalidClientVpnEndpointIdNotFound,
    InvalidParameterCombination,
    InvalidParameterValue,
    MissingParameter,
    OverlappingClientCidr,
    SubnetNotInEndpointVpc,
    TerminateConnectionsLimitExceeded,
)
from .paging import OrderedIndex, decode_token, take_page, validate_max_results

ENDPOINT_ID_PREFIX = "cvpn-endpoint"
ASSOCIATION_ID_PREFIX = "cvpn-assoc"
CONNECTION_ID_PREFIX = "cvpn-connection"
TGW_ATTACHMENT_ID_PREFIX = "tgw-attach"
STATE_ATTRIBUTE = "_cvpn_emulator_state"
SELF_SERVICE_PORTAL_URL = "https://self-service.clientvpn.amazonaws.com/endpoints/{endpoint_id}"
DNS_NAME = "*.{endpoint_id}.prod.clientvpn.{region}.amazonaws.com"
# Documented defaults of CreateClientVpnEndpoint (botocore 1.44 docs).
DEFAULT_TRANSPORT_PROTOCOL = "udp"
DEFAULT_VPN_PORT = 443
DEFAULT_SESSION_TIMEOUT_HOURS = 24
DEFAULT_SELF_SERVICE_PORTAL = "enabled"
DEFAULT_DISCONNECT_ON_SESSION_TIMEOUT = True
DEFAULT_IP_ADDRESS_TYPE = "ipv4"
MAX_CONNECTIONS_TERMINATED_BY_USERNAME = 5
UNMODIFIABLE_STATUSES = ("deleting", "deleted")

Json = dict[str, Any]
Filters = dict[str, list[str]]


class EndpointNotFoundError(LookupError):
    """No account or region of the emulator holds the endpoint (control API only)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _endpoint_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _connection_time(moment: datetime) -> str:
    # DescribeClientVpnConnections uses a space, not a "T" (AWS CLI examples).
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _tag_list(tags: Mapping[str, str]) -> list[Json]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _fingerprint(request: Mapping[str, Any]) -> str:
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


class ClientVpnEndpoint(BaseModel):
    """One endpoint; option structures are stored in Describe's (output) shape names."""

    def __init__(self, region: str, request: Mapping[str, Any], security_group_ids: list[str]):
        self.id = random_id(ENDPOINT_ID_PREFIX)
        self.region = region
        self.created_at = _now()
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
        self.connection_log_options = self._log_options(request["ConnectionLogOptions"])
        self.vpc_id: str | None = request.get("VpcId")
        self.security_group_ids = security_group_ids
        self.self_service_portal = request.get("SelfServicePortal") or DEFAULT_SELF_SERVICE_PORTAL
        self.client_connect_options = _client_connect_response(request.get("ClientConnectOptions"))
        self.session_timeout_hours = (
            request.get("SessionTimeoutHours") or DEFAULT_SESSION_TIMEOUT_HOURS
        )
        self.login_banner_options = _banner_response(request.get("ClientLoginBannerOptions"))
        self.route_enforcement = _route_enforcement_response(
            request.get("ClientRouteEnforcementOptions")
        )
        self.disconnect_on_session_timeout = request.get(
            "DisconnectOnSessionTimeout", DEFAULT_DISCONNECT_ON_SESSION_TIMEOUT
        )
        self.endpoint_ip_address_type = (
            request.get("EndpointIpAddressType") or DEFAULT_IP_ADDRESS_TYPE
        )
        self.traffic_ip_address_type = request.get("TrafficIpAddressType") or DEFAULT_IP_ADDRESS_TYPE
        self.transit_gateway_configuration = _transit_gateway_response(
            request.get("TransitGatewayConfiguration")
        )
        self.trust_providers = _trust_providers(request.get("DevicePostureOptions"))
        self.associations: OrderedIndex[TargetNetworkAssociation] = OrderedIndex()
        self.rules: OrderedIndex[AuthorizationRule] = OrderedIndex()
        self.connections: OrderedIndex[ClientVpnConnection] = OrderedIndex()

    @property
    def dns_name(self) -> str:
        return DNS_NAME.format(endpoint_id=self.id, region=self.region)

    def _log_options(self, options: Mapping[str, Any]) -> Json:
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

    def active_connections(self) -> list[ClientVpnConnection]:
        return [connection for connection in self.connections.values() if connection.is_active]

    def terminate_connections(
        self, should_end: Callable[[ClientVpnConnection], bool] = lambda _: True
    ) -> list[ClientVpnConnection]:
        moment = _now()
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
    return f"{endpoint_id}-{region}-{_now():%Y/%m/%d}-{suffix}"


def _client_connect_response(options: Mapping[str, Any] | None) -> Json:
    options = options or {}
    result: Json = {"Enabled": bool(options.get("Enabled"))}
    if options.get("LambdaFunctionArn"):
        result["LambdaFunctionArn"] = options["LambdaFunctionArn"]
    result["Status"] = {"Code": "applied"}
    return result


def _banner_response(options: Mapping[str, Any] | None) -> Json:
    options = options or {}
    result: Json = {"Enabled": bool(options.get("Enabled"))}
    if result["Enabled"]:
        result["BannerText"] = options["BannerText"]
    return result


def _route_enforcement_response(options: Mapping[str, Any] | None) -> Json:
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


def _trust_providers(options: Mapping[str, Any] | None) -> list[Json]:
    if not options or options.get("Enabled") is False:
        return []
    return [dict(provider) for provider in options.get("TrustProviders") or []]


def _matches_any(value: str | None, wanted: list[str]) -> bool:
    return value is not None and value in wanted


def _filter_matcher(
    filters: Filters, fields: Mapping[str, Callable[[Any], str | None]]
) -> Callable[[Any], bool]:
    """Build an AND-of-ORs predicate over named fields, rejecting unknown filter names."""
    for name in filters:
        if name not in fields:
            raise InvalidParameterValue(f"The filter '{name}' is invalid")

    def matches(item: Any) -> bool:
        return all(_matches_any(fields[name](item), values) for name, values in filters.items())

    return matches


class ClientVpnBackend:
    """Client VPN state of one account and region; reached through ``client_vpn_backend()``."""

    def __init__(self, ec2_backend: EC2Backend) -> None:
        self.ec2 = ec2_backend
        self.region = ec2_backend.region_name
        self.account_id = ec2_backend.account_id
        self.endpoints: OrderedIndex[ClientVpnEndpoint] = OrderedIndex()
        self._client_tokens: dict[tuple[str, str], tuple[str, Json]] = {}
        # The server is multi-threaded and moto itself takes no locks.
        self.lock = threading.RLock()

    # -- endpoints ---------------------------------------------------------------------

    def get_endpoint(self, endpoint_id: str) -> ClientVpnEndpoint:
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            raise InvalidClientVpnEndpointIdNotFound(endpoint_id)
        return endpoint

    def tags_of(self, resource_id: str) -> dict[str, str]:
        return dict(self.ec2.tags.get(resource_id, {}))

    def create_client_vpn_endpoint(
        self,
        request: Mapping[str, Any],
        tags: Mapping[str, str],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        security_group_ids = self._validate_create(request)
        if dry_run:
            raise DryRunClientError()
        with self.lock:
            return self._idempotent(
                "CreateClientVpnEndpoint",
                client_token,
                {"request": request, "tags": tags},
                lambda: self._create(request, tags, security_group_ids),
            )

    def _create(
        self, request: Mapping[str, Any], tags: Mapping[str, str], security_group_ids: list[str]
    ) -> Json:
        endpoint = ClientVpnEndpoint(self.region, request, security_group_ids)
        self.endpoints.add(endpoint.id, endpoint)
        if tags:
            self.ec2.create_tags([endpoint.id], dict(tags))
        return {
            "ClientVpnEndpointId": endpoint.id,
            "Status": {"Code": endpoint.status},
            "DnsName": endpoint.dns_name,
        }

    def _validate_create(self, request: Mapping[str, Any]) -> list[str]:
        if not request.get("ServerCertificateArn"):
            raise MissingParameter("ServerCertificateArn")
        check.check_authentication_options(request.get("AuthenticationOptions") or [])
        if request.get("ConnectionLogOptions") is None:
            raise MissingParameter("ConnectionLogOptions")
        check.check_connection_log_options(request["ConnectionLogOptions"])
        client_cidr = request.get("ClientCidrBlock")
        check.check_ip_address_types(
            request.get("EndpointIpAddressType"), request.get("TrafficIpAddressType"), client_cidr
        )
        if client_cidr:
            check.check_client_cidr_block(client_cidr)
        self._validate_common_settings(request)
        check.check_dns_servers(list(request.get("DnsServers") or []))
        check.check_choice(
            "TransportProtocol", request.get("TransportProtocol"), check.TRANSPORT_PROTOCOLS
        )
        vpc_id = request.get("VpcId")
        security_group_ids = list(request.get("SecurityGroupIds") or [])
        check.check_transit_gateway_configuration(
            request.get("TransitGatewayConfiguration"), vpc_id, security_group_ids
        )
        check.check_security_groups_need_vpc(security_group_ids, vpc_id)
        return self._resolve_security_groups(vpc_id, security_group_ids)

    @staticmethod
    def _validate_common_settings(request: Mapping[str, Any]) -> None:
        """Checks shared by create and modify."""
        check.check_vpn_port(request.get("VpnPort"))
        check.check_session_timeout_hours(request.get("SessionTimeoutHours"))
        check.check_choice(
            "SelfServicePortal", request.get("SelfServicePortal"), check.SELF_SERVICE_PORTAL_VALUES
        )
        check.check_login_banner(request.get("ClientLoginBannerOptions"))
        check.check_client_connect_options(request.get("ClientConnectOptions"))

    def _resolve_security_groups(self, vpc_id: str | None, group_ids: list[str]) -> list[str]:
        """Validate the VPC and groups; without groups, AWS applies the VPC's default group."""
        if not vpc_id:
            return []
        self.ec2.get_vpc(vpc_id)
        for group_id in group_ids:
            group = self.ec2.get_security_group_from_id(group_id)
            if group is None:
                raise InvalidSecurityGroupNotFoundError(group_id)
            if group.vpc_id != vpc_id:
                raise InvalidParameterValue(
                    f"Security group {group_id} does not belong to VPC {vpc_id}."
                )
        if group_ids:
            return group_ids
        default_group = self.ec2.get_default_security_group(vpc_id)
        return [default_group.id] if default_group else []

    def describe_client_vpn_endpoints(
        self,
        endpoint_ids: list[str],
        filters: Filters,
        max_results: int | None,
        next_token: str | None,
        dry_run: bool,
    ) -> tuple[list[Json], str | None]:
        limit = validate_max_results(max_results)
        matches = _filter_matcher(filters, self._endpoint_filter_fields(filters))
        start = decode_token(next_token)
        with self.lock:
            candidates = self._endpoint_candidates(endpoint_ids, start)
            if dry_run:
                raise DryRunClientError()
            page, token = take_page(candidates, limit, matches)
            return [endpoint.describe(self.tags_of(endpoint.id)) for endpoint in page], token

    def _endpoint_candidates(
        self, endpoint_ids: list[str], start: int
    ) -> Iterable[tuple[int, ClientVpnEndpoint]]:
        if not endpoint_ids:
            return self.endpoints.iter_from(start)
        wanted = [self.get_endpoint(endpoint_id) for endpoint_id in dict.fromkeys(endpoint_ids)]
        ordered = sorted((self.endpoints.seq_of(endpoint.id), endpoint) for endpoint in wanted)
        return [(seq, endpoint) for seq, endpoint in ordered if seq >= start]

    def _endpoint_filter_fields(
        self, filters: Filters
    ) -> dict[str, Callable[[ClientVpnEndpoint], str | None]]:
        fields: dict[str, Callable[[ClientVpnEndpoint], str | None]] = {
            "endpoint-id": lambda endpoint: endpoint.id,
            "transport-protocol": lambda endpoint: endpoint.transport_protocol,
        }
        for name in filters:
            if name.startswith("tag:"):
                key = name[len("tag:") :]
                fields[name] = lambda endpoint, key=key: self.tags_of(endpoint.id).get(key)
        if "tag-key" in filters:
            wanted_keys = filters["tag-key"]
            fields["tag-key"] = lambda endpoint: next(
                (key for key in self.tags_of(endpoint.id) if key in wanted_keys), None
            )
        return fields

    def prepare_modification(self, endpoint_id: str, request: Mapping[str, Any]) -> Json:
        """Validate a ModifyClientVpnEndpoint request; return attribute -> new value."""
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("modify")
            self._validate_common_settings(request)
            if request.get("TransitGatewayConfiguration"):
                raise InvalidParameterValue(
                    "Modifying TransitGatewayConfiguration is not supported."
                )
            changes = _simple_changes(request)
            if "ConnectionLogOptions" in request:
                check.check_connection_log_options(request["ConnectionLogOptions"])
                changes["connection_log_options"] = endpoint._log_options(
                    request["ConnectionLogOptions"]
                )
            if "DnsServers" in request:
                changes["dns_servers"] = _dns_servers_from_modify(request["DnsServers"])
            changes |= self._network_changes(endpoint, request)
            return changes

    def _network_changes(self, endpoint: ClientVpnEndpoint, request: Mapping[str, Any]) -> Json:
        vpc_id = request.get("VpcId")
        group_ids = list(request.get("SecurityGroupIds") or [])
        check.check_security_groups_need_vpc(group_ids, vpc_id)
        if not vpc_id:
            return {}
        for association in endpoint.associations.values():
            if association.vpc_id and association.vpc_id != vpc_id:
                raise InvalidParameterValue(
                    f"Client VPN endpoint {endpoint.id} has target networks in "
                    f"{association.vpc_id}; disassociate them before changing the VPC."
                )
        return {
            "vpc_id": vpc_id,
            "security_group_ids": self._resolve_security_groups(vpc_id, group_ids),
        }

    def apply_modification(self, endpoint_id: str, changes: Mapping[str, Any]) -> None:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            old_dns = list(endpoint.dns_servers)
            old_timeout = endpoint.session_timeout_hours
            for attribute, value in changes.items():
                setattr(endpoint, attribute, value)
            self._apply_side_effects(endpoint, old_dns, old_timeout)

    @staticmethod
    def _apply_side_effects(endpoint: ClientVpnEndpoint, old_dns: list[str], old_timeout: int) -> None:
        # AWS: "Modifying the DNS server resets existing client connections", and a lower
        # session timeout disconnects sessions that are already older than it.
        if endpoint.dns_servers != old_dns:
            endpoint.terminate_connections()
        if endpoint.session_timeout_hours < old_timeout:
            cutoff = _now() - timedelta(hours=endpoint.session_timeout_hours)
            endpoint.terminate_connections(lambda connection: connection.established_at < cutoff)

    def delete_client_vpn_endpoint(self, endpoint_id: str, dry_run: bool) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if len(endpoint.associations):
                raise EndpointHasTargetNetworks(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            self.endpoints.remove(endpoint_id)
            self.ec2.tags.pop(endpoint_id, None)
            return {"Status": {"Code": "deleting"}}

    def set_status(self, endpoint_id: str, status: str) -> None:
        if status not in check.ENDPOINT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(check.ENDPOINT_STATUSES)}")
        with self.lock:
            self.get_endpoint(endpoint_id).status = status

    # -- target networks ---------------------------------------------------------------

    def associate_client_vpn_target_network(
        self,
        endpoint_id: str,
        target: Mapping[str, Any],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("associate a target network with")
            replay = self._replayed("AssociateClientVpnTargetNetwork", client_token, target)
            if replay is not None:
                return replay
            association = self._new_association(endpoint, target)
            if dry_run:
                raise DryRunClientError()
            return self._idempotent(
                "AssociateClientVpnTargetNetwork",
                client_token,
                target,
                lambda: self._associate(endpoint, association),
            )

    def _new_association(
        self, endpoint: ClientVpnEndpoint, target: Mapping[str, Any]
    ) -> TargetNetworkAssociation:
        if endpoint.transit_gateway_configuration:
            return self._zone_association(endpoint, target)
        return self._subnet_association(endpoint, target)

    def _subnet_association(
        self, endpoint: ClientVpnEndpoint, target: Mapping[str, Any]
    ) -> TargetNetworkAssociation:
        subnet_id = target.get("SubnetId")
        if target.get("AvailabilityZone") or target.get("AvailabilityZoneId"):
            raise InvalidParameterCombination(
                "AvailabilityZone and AvailabilityZoneId apply only to Transit Gateway endpoints; "
                "specify SubnetId."
            )
        if not subnet_id:
            raise MissingParameter("SubnetId")
        subnet = self.ec2.get_subnet(subnet_id)
        if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
            raise SubnetNotInEndpointVpc(subnet_id, endpoint.vpc_id)
        for existing in endpoint.associations.values():
            if existing.target_network_id == subnet_id:
                raise DuplicateAssociation(subnet_id, endpoint.id)
            if existing.availability_zone == subnet.availability_zone:
                raise DuplicateAvailabilityZone(subnet.availability_zone, endpoint.id)
        self._check_no_overlap(endpoint, subnet.vpc_id)
        return TargetNetworkAssociation(
            endpoint.id,
            subnet_id,
            subnet.vpc_id,
            subnet.availability_zone,
            getattr(subnet, "availability_zone_id", None),
        )

    def _check_no_overlap(self, endpoint: ClientVpnEndpoint, vpc_id: str) -> None:
        if not endpoint.client_cidr_block:
            return
        vpc_cidr = self.ec2.get_vpc(vpc_id).cidr_block
        client = ipaddress.ip_network(endpoint.client_cidr_block, strict=False)
        if client.overlaps(ipaddress.ip_network(vpc_cidr, strict=False)):
            raise OverlappingClientCidr(endpoint.client_cidr_block, vpc_cidr)

    @staticmethod
    def _zone_association(
        endpoint: ClientVpnEndpoint, target: Mapping[str, Any]
    ) -> TargetNetworkAssociation:
        zone, zone_id = target.get("AvailabilityZone"), target.get("AvailabilityZoneId")
        if target.get("SubnetId"):
            raise InvalidParameterCombination(
                "Transit Gateway endpoints take AvailabilityZone or AvailabilityZoneId, not SubnetId."
            )
        if zone and zone_id:
            raise InvalidParameterCombination(
                "Specify either AvailabilityZone or AvailabilityZoneId, not both."
            )
        if not zone and not zone_id:
            raise MissingParameter("AvailabilityZone")
        target_id = zone or zone_id or ""
        for existing in endpoint.associations.values():
            if existing.target_network_id == target_id:
                raise DuplicateAvailabilityZone(target_id, endpoint.id)
        return TargetNetworkAssociation(endpoint.id, target_id, None, zone, zone_id)

    def _associate(self, endpoint: ClientVpnEndpoint, association: TargetNetworkAssociation) -> Json:
        if association.vpc_id and not endpoint.vpc_id:
            endpoint.vpc_id = association.vpc_id
            endpoint.security_group_ids = self._resolve_security_groups(association.vpc_id, [])
        endpoint.associations.add(association.id, association)
        endpoint.status = "available"
        return {"AssociationId": association.id, "Status": {"Code": "associating"}}

    def disassociate_client_vpn_target_network(
        self, endpoint_id: str, association_id: str, dry_run: bool
    ) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if association_id not in endpoint.associations:
                raise AssociationNotFound(association_id)
            if dry_run:
                raise DryRunClientError()
            endpoint.associations.remove(association_id)
            if not len(endpoint.associations):
                # AWS: the last disassociation ends all sessions and the endpoint waits again.
                endpoint.status = "pending-associate"
                endpoint.terminate_connections()
            return {"AssociationId": association_id, "Status": {"Code": "disassociating"}}

    def describe_client_vpn_target_networks(
        self,
        endpoint_id: str,
        association_ids: list[str],
        filters: Filters,
        max_results: int | None,
        next_token: str | None,
        dry_run: bool,
    ) -> tuple[list[Json], str | None]:
        limit = validate_max_results(max_results)
        fields: dict[str, Callable[[TargetNetworkAssociation], str | None]] = {
            "association-id": lambda association: association.id,
            "target-network-id": lambda association: association.target_network_id,
            "vpc-id": lambda association: association.vpc_id,
        }
        matches = _filter_matcher(filters, fields)
        start = decode_token(next_token)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            page, token = take_page(
                endpoint.associations.iter_from(start),
                limit,
                lambda item: matches(item) and (not association_ids or item.id in association_ids),
            )
            return [item.describe(endpoint.security_group_ids) for item in page], token

    # -- authorization rules -----------------------------------------------------------

    def authorize_client_vpn_ingress(
        self,
        endpoint_id: str,
        rule_request: Mapping[str, Any],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        cidr = rule_request.get("TargetNetworkCidr") or ""
        group_id = _rule_group(
            rule_request.get("AccessGroupId"), rule_request.get("AuthorizeAllGroups"), "Authorize"
        )
        check.check_cidr("TargetNetworkCidr", cidr)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("authorize ingress for")
            replay = self._replayed("AuthorizeClientVpnIngress", client_token, rule_request)
            if replay is not None:
                return replay
            if AuthorizationRule.key_for(cidr, group_id) in endpoint.rules:
                raise DuplicateAuthorizationRule(cidr, group_id or "all groups")
            if dry_run:
                raise DryRunClientError()
            rule = AuthorizationRule(endpoint_id, cidr, group_id, rule_request.get("Description"))
            return self._idempotent(
                "AuthorizeClientVpnIngress",
                client_token,
                rule_request,
                lambda: self._add_rule(endpoint, rule),
            )

    @staticmethod
    def _add_rule(endpoint: ClientVpnEndpoint, rule: AuthorizationRule) -> Json:
        endpoint.rules.add(rule.key, rule)
        return {"Status": {"Code": "authorizing"}}

    def revoke_client_vpn_ingress(
        self,
        endpoint_id: str,
        cidr: str,
        access_group_id: str | None,
        revoke_all_groups: bool | None,
        dry_run: bool,
    ) -> Json:
        group_id = _rule_group(access_group_id, revoke_all_groups, "Revoke")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            key = AuthorizationRule.key_for(cidr, group_id)
            if key not in endpoint.rules:
                raise AuthorizationRuleNotFound(cidr, group_id or "all groups")
            if dry_run:
                raise DryRunClientError()
            endpoint.rules.remove(key)
            return {"Status": {"Code": "revoking"}}

    def describe_client_vpn_authorization_rules(
        self,
        endpoint_id: str,
        filters: Filters,
        max_results: int | None,
        next_token: str | None,
        dry_run: bool,
    ) -> tuple[list[Json], str | None]:
        limit = validate_max_results(max_results)
        fields: dict[str, Callable[[AuthorizationRule], str | None]] = {
            "description": lambda rule: rule.description,
            "destination-cidr": lambda rule: rule.destination_cidr,
            "group-id": lambda rule: rule.group_id,
        }
        matches = _filter_matcher(filters, fields)
        start = decode_token(next_token)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            page, token = take_page(endpoint.rules.iter_from(start), limit, matches)
            return [rule.describe() for rule in page], token

    # -- connections -------------------------------------------------------------------

    def seed_connections(
        self,
        endpoint_id: str,
        count: int,
        username: str | None = None,
        established_at: datetime | None = None,
    ) -> list[str]:
        if count < 0:
            raise ValueError("count must be zero or more")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            created = []
            for _ in range(count):
                name = username or f"user{len(endpoint.connections) + 1}"
                connection = ClientVpnConnection(
                    endpoint_id, name, endpoint.next_client_ip(), established_at or _now()
                )
                endpoint.connections.add(connection.id, connection)
                created.append(connection.id)
            return created

    def describe_client_vpn_connections(
        self,
        endpoint_id: str,
        filters: Filters,
        max_results: int | None,
        next_token: str | None,
        dry_run: bool,
    ) -> tuple[list[Json], str | None]:
        limit = validate_max_results(max_results)
        fields: dict[str, Callable[[ClientVpnConnection], str | None]] = {
            "connection-id": lambda connection: connection.id,
            "username": lambda connection: connection.username,
        }
        matches = _filter_matcher(filters, fields)
        start = decode_token(next_token)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            page, token = take_page(endpoint.connections.iter_from(start), limit, matches)
            moment = _now()
            return [connection.describe(moment) for connection in page], token

    def terminate_client_vpn_connections(
        self,
        endpoint_id: str,
        connection_id: str | None,
        username: str | None,
        dry_run: bool,
    ) -> Json:
        if connection_id and username:
            raise InvalidParameterCombination("Specify either ConnectionId or Username, not both.")
        if not connection_id and not username:
            raise MissingParameter("ConnectionId or Username")
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            targets = self._connections_to_terminate(endpoint, connection_id, username)
            if dry_run:
                raise DryRunClientError()
            statuses = [_termination_status(connection) for connection in targets]
            moment = _now()
            for connection in targets:
                connection.terminate(moment)
            result: Json = {"ClientVpnEndpointId": endpoint_id}
            if username:
                result["Username"] = username
            result["ConnectionStatuses"] = statuses
            return result

    @staticmethod
    def _connections_to_terminate(
        endpoint: ClientVpnEndpoint, connection_id: str | None, username: str | None
    ) -> list[ClientVpnConnection]:
        if connection_id:
            connection = endpoint.connections.get(connection_id)
            if connection is None:
                raise ConnectionNotFound(connection_id)
            return [connection]
        active = [c for c in endpoint.active_connections() if c.username == username]
        if not active:
            raise ConnectionUserNotFound(username or "")
        if len(active) > MAX_CONNECTIONS_TERMINATED_BY_USERNAME:
            raise TerminateConnectionsLimitExceeded(username or "", len(active))
        return active

    # -- idempotency -------------------------------------------------------------------

    def _replayed(self, operation: str, token: str | None, request: Any) -> Json | None:
        """The stored result of an earlier identical request with this client token."""
        if not token or (operation, token) not in self._client_tokens:
            return None
        fingerprint, result = self._client_tokens[(operation, token)]
        if fingerprint != _fingerprint(request):
            raise IdempotentParameterMismatch()
        return result

    def _idempotent(
        self, operation: str, token: str | None, request: Any, produce: Callable[[], Json]
    ) -> Json:
        replay = self._replayed(operation, token, request)
        if replay is not None:
            return replay
        result = produce()
        if token:
            self._client_tokens[(operation, token)] = (_fingerprint(request), result)
        return result


_SIMPLE_MODIFY_FIELDS = {
    "ServerCertificateArn": ("server_certificate_arn", lambda value: value),
    "VpnPort": ("vpn_port", lambda value: value),
    "Description": ("description", lambda value: value),
    "SplitTunnel": ("split_tunnel", bool),
    "SessionTimeoutHours": ("session_timeout_hours", lambda value: value),
    "DisconnectOnSessionTimeout": ("disconnect_on_session_timeout", bool),
    "SelfServicePortal": ("self_service_portal", lambda value: value),
    "ClientConnectOptions": ("client_connect_options", _client_connect_response),
    "ClientLoginBannerOptions": ("login_banner_options", _banner_response),
    "ClientRouteEnforcementOptions": ("route_enforcement", _route_enforcement_response),
    "DevicePostureOptions": ("trust_providers", _trust_providers),
}


def _simple_changes(request: Mapping[str, Any]) -> Json:
    return {
        attribute: convert(request[member])
        for member, (attribute, convert) in _SIMPLE_MODIFY_FIELDS.items()
        if member in request
    }


def _dns_servers_from_modify(options: Mapping[str, Any]) -> list[str]:
    """Modify takes ``{CustomDnsServers, Enabled}``; Enabled=false clears the servers."""
    if options.get("Enabled") is False:
        return []
    servers = list(options.get("CustomDnsServers") or [])
    if options.get("Enabled") and not servers:
        raise InvalidParameterValue("CustomDnsServers is required when DnsServers is enabled.")
    check.check_dns_servers(servers)
    return servers


def _rule_group(access_group_id: str | None, all_groups: bool | None, verb: str) -> str | None:
    """The rule's group id, or None for a rule that applies to every client."""
    if access_group_id and all_groups:
        raise InvalidParameterCombination(
            f"Specify either AccessGroupId or {verb}AllGroups=true, not both."
        )
    if not access_group_id and not all_groups:
        raise InvalidParameterValue(
            f"AccessGroupId is required unless {verb}AllGroups is true."
        )
    return access_group_id or None


def _termination_status(connection: ClientVpnConnection) -> Json:
    return {
        "ConnectionId": connection.id,
        "PreviousStatus": {"Code": connection.status},
        "CurrentStatus": {"Code": "terminating" if connection.is_active else connection.status},
    }


# -- access to the per-account, per-region state ---------------------------------------

_STATE_CREATION_LOCK = threading.Lock()


def client_vpn_backend(ec2_backend: EC2Backend) -> ClientVpnBackend:
    """The Client VPN state of one EC2 backend, created on first use."""
    state = ec2_backend.__dict__.get(STATE_ATTRIBUTE)
    if state is None:
        with _STATE_CREATION_LOCK:
            state = ec2_backend.__dict__.get(STATE_ATTRIBUTE)
            if state is None:
                state = ClientVpnBackend(ec2_backend)
                setattr(ec2_backend, STATE_ATTRIBUTE, state)
    return state  # type: ignore[no-any-return]


def iter_client_vpn_backends() -> Iterator[ClientVpnBackend]:
    """Every Client VPN state that exists, in any account and region."""
    for account_id in list(ec2_backends.keys()):
        regional_backends = ec2_backends[account_id]
        for region in list(regional_backends.keys()):
            state = regional_backends[region].__dict__.get(STATE_ATTRIBUTE)
            if state is not None:
                yield state


def find_client_vpn_backend(endpoint_id: str) -> ClientVpnBackend:
    for backend in iter_client_vpn_backends():
        if endpoint_id in backend.endpoints:
            return backend
    raise EndpointNotFoundError(f"No account or region holds Client VPN endpoint {endpoint_id}")


def seed_connections(
    endpoint_id: str,
    count: int,
    *,
    username: str | None = None,
    established_at: datetime | None = None,
) -> list[str]:
    """Add ``count`` active connections to an endpoint; return their connection ids."""
    backend = find_client_vpn_backend(endpoint_id)
    return backend.seed_connections(endpoint_id, count, username, established_at)


def set_endpoint_status(endpoint_id: str, status: str) -> None:
    """Force an endpoint into a status (e.g. ``deleting``) to test how callers react."""
    find_client_vpn_backend(endpoint_id).set_status(endpoint_id, status)
