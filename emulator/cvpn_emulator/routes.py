"""Routes: Create/Delete/DescribeClientVpnRoutes (a backend mixin).

The route that an association adds (Origin ``associate``) is made by the target-network
mixin through ``ClientVpnRoute.for_association``; this module owns the routes users add.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moto.ec2.exceptions import DryRunClientError

from . import validation as check
from .backend_core import BackendCore, FilterFields, PageRequest
from .entities import (
    LOCAL_ROUTE_TARGET,
    ROUTE_ORIGIN_ADD_ROUTE,
    ROUTE_ORIGIN_ASSOCIATE,
    ClientVpnEndpoint,
    ClientVpnRoute,
    Json,
)
from .exceptions import (
    DuplicateRoute,
    InvalidParameterValue,
    MissingParameter,
    NoActiveAssociation,
    RouteNotFound,
)

CREATE_OPERATION = "CreateClientVpnRoute"


class RoutesMixin(BackendCore):
    def create_client_vpn_route(
        self,
        endpoint_id: str,
        route_request: Mapping[str, Any],
        client_token: str | None,
        dry_run: bool,
    ) -> Json:
        cidr = route_request.get("DestinationCidrBlock") or ""
        check.check_cidr("DestinationCidrBlock", cidr)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("add a route to")
            # A retry with the same token must not be refused as its own duplicate.
            replay = self._replayed(CREATE_OPERATION, client_token, route_request)
            if replay is not None:
                return replay
            route = _new_route(endpoint, cidr, route_request)
            if dry_run:
                raise DryRunClientError()
            return self._idempotent(
                CREATE_OPERATION,
                client_token,
                route_request,
                lambda: _add_route(endpoint, route),
            )

    def delete_client_vpn_route(
        self, endpoint_id: str, cidr: str, target_subnet: str | None, dry_run: bool
    ) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            route = _route_to_delete(endpoint, cidr, target_subnet)
            if dry_run:
                raise DryRunClientError()
            endpoint.routes.remove(route.key)
            return {"Status": {"Code": "deleting"}}

    def describe_client_vpn_routes(
        self, endpoint_id: str, page: PageRequest
    ) -> tuple[list[Json], str | None]:
        fields: FilterFields[ClientVpnRoute] = {
            "destination-cidr": lambda route: route.destination_cidr,
            "origin": lambda route: route.origin,
            "target-subnet": lambda route: route.target_subnet,
        }
        endpoint = self.get_endpoint(endpoint_id)
        return self._describe_page(page, fields, endpoint.routes.iter_from, ClientVpnRoute.describe)


def _new_route(
    endpoint: ClientVpnEndpoint, cidr: str, route_request: Mapping[str, Any]
) -> ClientVpnRoute:
    target = route_request.get("TargetVpcSubnetId") or None
    if not len(endpoint.associations):
        raise NoActiveAssociation(endpoint.id)
    attachment_id = None
    if target is None:
        # API reference: the subnet is required for VPC endpoints, optional for transit
        # gateway endpoints, whose routes lead to the attachment instead.
        if not endpoint.transit_gateway_configuration:
            raise MissingParameter("TargetVpcSubnetId")
        attachment_id = endpoint.transit_gateway_configuration["TransitGatewayAttachmentId"]
    elif target != LOCAL_ROUTE_TARGET and not _is_associated(endpoint, target):
        raise NoActiveAssociation(endpoint.id, target)
    if ClientVpnRoute.key_for(cidr, target) in endpoint.routes:
        raise DuplicateRoute(cidr, target or attachment_id or "")
    return ClientVpnRoute(
        endpoint.id,
        cidr,
        target,
        ROUTE_ORIGIN_ADD_ROUTE,
        route_request.get("Description"),
        transit_gateway_attachment_id=attachment_id,
    )


def _is_associated(endpoint: ClientVpnEndpoint, subnet_id: str) -> bool:
    return any(
        association.target_network_id == subnet_id for association in endpoint.associations.values()
    )


def _add_route(endpoint: ClientVpnEndpoint, route: ClientVpnRoute) -> Json:
    endpoint.routes.add(route.key, route)
    return {"Status": {"Code": "creating"}}


def _route_to_delete(
    endpoint: ClientVpnEndpoint, cidr: str, target_subnet: str | None
) -> ClientVpnRoute:
    matches = [
        route
        for route in endpoint.routes.values()
        if route.destination_cidr == cidr
        and (target_subnet is None or route.target_subnet == target_subnet)
    ]
    if not matches:
        raise RouteNotFound(cidr, target_subnet)
    if len(matches) > 1:
        raise InvalidParameterValue(
            f"Client VPN endpoint {endpoint.id} routes {cidr} through several subnets; "
            "specify TargetVpcSubnetId."
        )
    (route,) = matches
    if route.origin == ROUTE_ORIGIN_ASSOCIATE:
        # API reference: such routes go only when their subnet is disassociated.
        raise InvalidParameterValue(
            f"The route to {cidr} was added when {route.target_subnet} was associated; "
            "disassociate that target network to remove it."
        )
    return route
