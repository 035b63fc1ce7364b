"""Client VPN state and behaviour, per account and region (moto's ``models`` module).

The state lives on moto's own ``EC2Backend`` (one per account and region) behind a
lazily created attribute: ``EC2Backend.__init__`` only initialises the mixins in its own
MRO, and ``reset()`` replaces the backend's ``__dict__``, so a lazy attribute is both
created on first use and wiped by every moto reset without any extra hook.

Every public backend method validates first and honours ``dry_run`` only after the
request is known to be valid, as EC2 does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from moto.ec2.exceptions import DryRunClientError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.logs.models import logs_backends

from . import validation as check
from .authorization_policies import AuthorizationPoliciesMixin
from .authorization_rules import AuthorizationRulesMixin
from .backend_core import FilterFields, Filters, PageRequest
from .connections import ConnectionsMixin
from .entities import (
    ClientVpnEndpoint,
    Json,
    banner_response,
    client_connect_response,
    now,
    route_enforcement_response,
    trust_providers,
)
from .exceptions import (
    EndpointHasTargetNetworks,
    InvalidParameterValue,
    MissingParameter,
)
from .revocation_lists import RevocationListsMixin
from .routes import RoutesMixin
from .target_networks import TargetNetworksMixin

STATE_ATTRIBUTE = "_cvpn_emulator_state"


class EndpointNotFoundError(LookupError):
    """No account or region of the emulator holds the endpoint (control API only)."""


class ClientVpnBackend(
    TargetNetworksMixin,
    RoutesMixin,
    AuthorizationRulesMixin,
    ConnectionsMixin,
    RevocationListsMixin,
    AuthorizationPoliciesMixin,
):
    """Client VPN state of one account and region; reached through ``client_vpn_backend()``."""

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
        check.check_connection_log_options(request["ConnectionLogOptions"], self._log_groups())
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

    def _log_groups(self) -> Container[str]:
        # CloudWatch Logs of this account and Region (moto's logs backend), where Client VPN
        # looks for the group a request names.
        return logs_backends[self.account_id][self.region].groups

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

    def describe_client_vpn_endpoints(
        self, endpoint_ids: list[str], page: PageRequest
    ) -> tuple[list[Json], str | None]:
        return self._describe_page(
            page,
            self._endpoint_filter_fields(page.filters),
            lambda start: self._endpoint_candidates(endpoint_ids, start),
            self._describe_endpoint,
        )

    def _describe_endpoint(self, endpoint: ClientVpnEndpoint) -> Json:
        return endpoint.describe(self.tags_of(endpoint.id))

    def _endpoint_candidates(
        self, endpoint_ids: list[str], start: int
    ) -> Iterable[tuple[int, ClientVpnEndpoint]]:
        if not endpoint_ids:
            return self.endpoints.iter_from(start)
        wanted = [self.get_endpoint(endpoint_id) for endpoint_id in dict.fromkeys(endpoint_ids)]
        ordered = sorted((self.endpoints.seq_of(endpoint.id), endpoint) for endpoint in wanted)
        return [(seq, endpoint) for seq, endpoint in ordered if seq >= start]

    def _endpoint_filter_fields(self, filters: Filters) -> FilterFields[ClientVpnEndpoint]:
        fields: dict[str, Callable[[ClientVpnEndpoint], str | None]] = {
            "endpoint-id": lambda endpoint: endpoint.id,
            "transport-protocol": lambda endpoint: endpoint.transport_protocol,
        }
        for name in filters:
            if name.startswith("tag:"):
                fields[name] = self._tag_value_of(name[len("tag:") :])
        if "tag-key" in filters:
            fields["tag-key"] = self._first_tag_key_in(filters["tag-key"])
        return fields

    def _tag_value_of(self, key: str) -> Callable[[ClientVpnEndpoint], str | None]:
        return lambda endpoint: self.tags_of(endpoint.id).get(key)

    def _first_tag_key_in(self, keys: list[str]) -> Callable[[ClientVpnEndpoint], str | None]:
        return lambda endpoint: next(
            (key for key in self.tags_of(endpoint.id) if key in keys), None
        )

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
                check.check_connection_log_options(
                    request["ConnectionLogOptions"], self._log_groups()
                )
                changes["connection_log_options"] = endpoint.connection_log_for(
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
        # Unknown VPCs and groups are reported before the VPC's fit with the networks.
        resolved = self._resolve_security_groups(vpc_id, group_ids)
        self._check_vpc_of_target_networks(endpoint, vpc_id)
        return {"vpc_id": vpc_id, "security_group_ids": resolved}

    def apply_modification(self, endpoint_id: str, changes: Mapping[str, Any]) -> Json:
        """Apply prepared changes; return the endpoint as Describe showed it before."""
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            before = self._describe_endpoint(endpoint)
            old_dns = list(endpoint.dns_servers)
            old_timeout = endpoint.session_timeout_hours
            for attribute, value in changes.items():
                setattr(endpoint, attribute, value)
            self._apply_side_effects(endpoint, old_dns, old_timeout)
            return before

    @staticmethod
    def _apply_side_effects(
        endpoint: ClientVpnEndpoint, old_dns: list[str], old_timeout: int
    ) -> None:
        # AWS: "Modifying the DNS server resets existing client connections", and a lower
        # session timeout disconnects sessions that are already older than it.
        if endpoint.dns_servers != old_dns:
            endpoint.terminate_connections()
        if endpoint.session_timeout_hours < old_timeout:
            cutoff = now() - timedelta(hours=endpoint.session_timeout_hours)
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


_SIMPLE_MODIFY_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "ServerCertificateArn": ("server_certificate_arn", lambda value: value),
    "VpnPort": ("vpn_port", lambda value: value),
    "Description": ("description", lambda value: value),
    "SplitTunnel": ("split_tunnel", bool),
    "SessionTimeoutHours": ("session_timeout_hours", lambda value: value),
    "DisconnectOnSessionTimeout": ("disconnect_on_session_timeout", bool),
    "SelfServicePortal": ("self_service_portal", lambda value: value),
    "ClientConnectOptions": ("client_connect_options", client_connect_response),
    "ClientLoginBannerOptions": ("login_banner_options", banner_response),
    "ClientRouteEnforcementOptions": ("route_enforcement", route_enforcement_response),
    "DevicePostureOptions": ("trust_providers", trust_providers),
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


# -- access to the per-account, per-region state ---------------------------------------

_STATE_CREATION_LOCK = threading.Lock()


def client_vpn_backend(ec2_backend: EC2Backend) -> ClientVpnBackend:
    """The Client VPN state of one EC2 backend, created on first use."""
    state: ClientVpnBackend | None = ec2_backend.__dict__.get(STATE_ATTRIBUTE)
    if state is None:
        with _STATE_CREATION_LOCK:
            state = ec2_backend.__dict__.get(STATE_ATTRIBUTE)
            if state is None:
                state = ClientVpnBackend(ec2_backend)
                setattr(ec2_backend, STATE_ATTRIBUTE, state)
    return state


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
