"""Target networks: AssociateClientVpnTargetNetwork and friends (a backend mixin)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from moto.ec2.exceptions import DryRunClientError

from . import validation as check
from .backend_core import BackendCore, FilterFields, PageRequest
from .entities import ClientVpnEndpoint, ClientVpnRoute, Json, TargetNetworkAssociation
from .exceptions import (
    AssociationNotFound,
    DuplicateAssociation,
    DuplicateAvailabilityZone,
    InvalidParameterCombination,
    MissingParameter,
    OverlappingClientCidr,
    SubnetNotInEndpointVpc,
)


class TargetNetworksMixin(BackendCore):
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

    def _associate(
        self, endpoint: ClientVpnEndpoint, association: TargetNetworkAssociation
    ) -> Json:
        if association.vpc_id and not endpoint.vpc_id:
            endpoint.vpc_id = association.vpc_id
            endpoint.security_group_ids = self._resolve_security_groups(association.vpc_id, [])
        endpoint.associations.add(association.id, association)
        if association.vpc_id:
            # AWS adds a route to the VPC through every subnet it associates.
            route = ClientVpnRoute.for_association(
                endpoint.id,
                association.target_network_id,
                self.ec2.get_vpc(association.vpc_id).cidr_block,
            )
            endpoint.routes.add(route.key, route)
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
            association = endpoint.associations.remove(association_id)
            if association is not None and association.vpc_id:
                endpoint.remove_routes_through(association.target_network_id)
            if not len(endpoint.associations):
                # AWS: the last disassociation ends all sessions and the endpoint waits again.
                endpoint.status = "pending-associate"
                endpoint.terminate_connections()
            return {"AssociationId": association_id, "Status": {"Code": "disassociating"}}

    def describe_client_vpn_target_networks(
        self, endpoint_id: str, association_ids: list[str], page: PageRequest
    ) -> tuple[list[Json], str | None]:
        fields: FilterFields[TargetNetworkAssociation] = {
            "association-id": lambda association: association.id,
            "target-network-id": lambda association: association.target_network_id,
            "vpc-id": lambda association: association.vpc_id,
        }
        if association_ids:
            # AssociationIds narrows like one more filter.
            fields = {**fields, "_ids": lambda association: association.id}
            page = replace(page, filters={**page.filters, "_ids": association_ids})
        endpoint = self.get_endpoint(endpoint_id)
        return self._describe_page(
            page,
            fields,
            endpoint.associations.iter_from,
            lambda association: association.describe(endpoint.security_group_ids),
        )

    def apply_security_groups_to_client_vpn_target_network(
        self, endpoint_id: str, vpc_id: str | None, group_ids: list[str], dry_run: bool
    ) -> Json:
        """Replace the endpoint's groups (they apply to every target network) and its VPC."""
        if not vpc_id:
            raise MissingParameter("VpcId")
        check.check_target_network_security_groups(group_ids)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("apply security groups to")
            if endpoint.transit_gateway_configuration:
                raise InvalidParameterCombination(
                    f"Client VPN endpoint {endpoint_id} uses a transit gateway and has no VPC "
                    "security groups."
                )
            # Unknown VPCs and groups are reported before the VPC's fit with the networks.
            resolved = self._resolve_security_groups(vpc_id, group_ids)
            self._check_vpc_of_target_networks(endpoint, vpc_id)
            if dry_run:
                raise DryRunClientError()
            endpoint.vpc_id = vpc_id
            endpoint.security_group_ids = resolved
            return {"SecurityGroupIds": list(resolved)}
