"""Client VPN routes: the route an association adds, Create/Delete/DescribeClientVpnRoutes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    NO_RETRIES,
    REGION,
    Emulator,
    Network,
    associate,
    create_endpoint,
    describe_endpoint,
    error_of,
)

UNKNOWN_ENDPOINT = "cvpn-endpoint-0123456789abcdef0"


def routes_of(ec2: Any, endpoint_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list(ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id, **kwargs)["Routes"])


def add_route(ec2: Any, endpoint_id: str, cidr: str, subnet_id: str, **kwargs: Any) -> Any:
    return ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id,
        DestinationCidrBlock=cidr,
        TargetVpcSubnetId=subnet_id,
        **kwargs,
    )


def association_route(endpoint_id: str, network: Network, subnet_id: str) -> dict[str, Any]:
    """What AWS CLI examples show for the route an association adds."""
    return {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidr": network.vpc_cidr,
        "TargetSubnet": subnet_id,
        "Type": "Nat",
        "Origin": "associate",
        "Status": {"Code": "active"},
        "Description": "Default Route",
    }


@pytest.mark.server_smoke
def test_association_adds_a_route_to_the_vpc_and_disassociation_removes_it(
    ec2: Any, network: Network
) -> None:
    # Given a new endpoint, Then its route table is empty
    endpoint_id = create_endpoint(ec2)
    assert routes_of(ec2, endpoint_id) == []

    # When a subnet is associated
    association_id = associate(ec2, endpoint_id, network.subnet_a)

    # Then a route to the VPC's CIDR through that subnet appears, as AWS adds it
    assert routes_of(ec2, endpoint_id) == [
        association_route(endpoint_id, network, network.subnet_a)
    ]

    # When the subnet is disassociated, Then its route is gone
    ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=association_id
    )
    assert routes_of(ec2, endpoint_id) == []


def test_added_route_round_trip(ec2: Any, network: Network) -> None:
    # Given an endpoint with a target network
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)

    # When routes are added, with and without a description
    created = add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a, Description="internet")
    add_route(ec2, endpoint_id, "192.168.0.0/16", network.subnet_a)

    # Then the route is being created, and is described as active with every field
    assert created["Status"] == {"Code": "creating"}
    assert routes_of(ec2, endpoint_id)[1:] == [
        {
            "ClientVpnEndpointId": endpoint_id,
            "DestinationCidr": "0.0.0.0/0",
            "TargetSubnet": network.subnet_a,
            "Type": "Nat",
            "Origin": "add-route",
            "Status": {"Code": "active"},
            "Description": "internet",
        },
        {
            "ClientVpnEndpointId": endpoint_id,
            "DestinationCidr": "192.168.0.0/16",
            "TargetSubnet": network.subnet_a,
            "Type": "Nat",
            "Origin": "add-route",
            "Status": {"Code": "active"},
        },
    ]

    # When a route is deleted, Then it is deleting and gone, and the others stay
    deleted = ec2.delete_client_vpn_route(
        ClientVpnEndpointId=endpoint_id,
        DestinationCidrBlock="0.0.0.0/0",
        TargetVpcSubnetId=network.subnet_a,
    )
    assert deleted["Status"] == {"Code": "deleting"}
    assert [route["DestinationCidr"] for route in routes_of(ec2, endpoint_id)] == [
        network.vpc_cidr,
        "192.168.0.0/16",
    ]


def test_local_route_lets_clients_reach_each_other(ec2: Any, network: Network) -> None:
    # Given an associated endpoint whose clients use 10.100.0.0/16
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)

    # When a route to the client CIDR targets "local" (API reference)
    add_route(ec2, endpoint_id, "10.100.0.0/16", "local")

    # Then it is described with the local target
    (route,) = routes_of(ec2, endpoint_id, Filters=[{"Name": "target-subnet", "Values": ["local"]}])
    assert route == {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidr": "10.100.0.0/16",
        "TargetSubnet": "local",
        "Type": "local",
        "Origin": "add-route",
        "Status": {"Code": "active"},
    }


def test_transit_gateway_endpoint_routes_to_its_attachment(ec2: Any) -> None:
    # Given a transit gateway endpoint with a zone associated
    endpoint_id = create_endpoint(
        ec2, TransitGatewayConfiguration={"TransitGatewayId": "tgw-0123456789abcdef0"}
    )
    ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AvailabilityZone=f"{REGION}a"
    )
    attachment_id = describe_endpoint(ec2, endpoint_id)["TransitGatewayConfiguration"][
        "TransitGatewayAttachmentId"
    ]

    # When a route is added without a subnet (optional for such endpoints)
    ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.9.0.0/16")

    # Then it leads to the endpoint's attachment and names no subnet
    assert routes_of(ec2, endpoint_id) == [
        {
            "ClientVpnEndpointId": endpoint_id,
            "DestinationCidr": "10.9.0.0/16",
            "Type": "Nat",
            "Origin": "add-route",
            "Status": {"Code": "active"},
            "TransitGatewayAttachmentId": attachment_id,
        }
    ]


def test_disassociation_removes_every_route_through_the_subnet(ec2: Any, network: Network) -> None:
    # Given routes through two subnets
    endpoint_id = create_endpoint(ec2)
    first = associate(ec2, endpoint_id, network.subnet_a)
    associate(ec2, endpoint_id, network.subnet_b)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_b)

    # When the first subnet is disassociated
    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=first)

    # Then only the routes through the second subnet remain
    assert {
        (route["DestinationCidr"], route["TargetSubnet"]) for route in routes_of(ec2, endpoint_id)
    } == {
        (network.vpc_cidr, network.subnet_b),
        ("0.0.0.0/0", network.subnet_b),
    }


# -- validation ---------------------------------------------------------------------------


def test_route_needs_an_associated_target_network(ec2: Any, network: Network) -> None:
    # Given an endpoint still waiting for a target network
    endpoint_id = create_endpoint(ec2)

    # When a route is added, Then AWS refuses it
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    assert error_of(error)[0] == "InvalidClientVpnActiveAssociationNotFound"

    # When another subnet is associated, Then a route through the first is still refused
    associate(ec2, endpoint_id, network.subnet_b)
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    assert error_of(error)[0] == "InvalidClientVpnActiveAssociationNotFound"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        pytest.param(
            {"DestinationCidrBlock": "10.0.0.0/33"}, "InvalidParameterValue", id="bad-cidr"
        ),
        pytest.param({"DestinationCidrBlock": "not-a-cidr"}, "InvalidParameterValue", id="no-cidr"),
        pytest.param({"TargetVpcSubnetId": None}, "MissingParameter", id="vpc-endpoint-no-subnet"),
        pytest.param(
            {"DestinationCidrBlock": "10.0.0.0/16"},
            "InvalidClientVpnDuplicateRoute",
            id="duplicates-the-association-route",
        ),
    ],
)
def test_invalid_routes_are_refused(
    ec2: Any, network: Network, arguments: dict[str, Any], code: str
) -> None:
    # Given an associated endpoint
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    request = {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidrBlock": "0.0.0.0/0",
        "TargetVpcSubnetId": network.subnet_a,
        **arguments,
    }

    # When the invalid route is added, Then AWS's code comes back
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_route(**{k: v for k, v in request.items() if v is not None})
    assert error_of(error)[0] == code


def test_duplicate_route_is_refused(ec2: Any, network: Network) -> None:
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a, Description="again")
    assert error_of(error)[0] == "InvalidClientVpnDuplicateRoute"


def test_delete_errors(ec2: Any, network: Network) -> None:
    # Given the same destination routed through two subnets
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    associate(ec2, endpoint_id, network.subnet_b)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_b)

    def delete(cidr: str, subnet_id: str | None = None) -> Any:
        target = {"TargetVpcSubnetId": subnet_id} if subnet_id else {}
        return ec2.delete_client_vpn_route(
            ClientVpnEndpointId=endpoint_id, DestinationCidrBlock=cidr, **target
        )

    # When a route that does not exist is deleted, Then it is not found
    with pytest.raises(ClientError) as error:
        delete("172.16.0.0/12")
    assert error_of(error)[0] == "InvalidClientVpnRouteNotFound"
    # When the destination alone is ambiguous, Then the subnet must be named
    with pytest.raises(ClientError) as error:
        delete("0.0.0.0/0")
    assert error_of(error)[0] == "InvalidParameterValue"
    # When a route an association added is deleted, Then AWS refuses (disassociate instead)
    with pytest.raises(ClientError) as error:
        delete(network.vpc_cidr, network.subnet_a)
    assert error_of(error)[0] == "InvalidParameterValue"

    # When the subnet is named, Then that one route goes; the last one needs no subnet
    delete("0.0.0.0/0", network.subnet_a)
    delete("0.0.0.0/0")
    assert routes_of(ec2, endpoint_id, Filters=[{"Name": "origin", "Values": ["add-route"]}]) == []


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        (
            "create_client_vpn_route",
            {"DestinationCidrBlock": "0.0.0.0/0", "TargetVpcSubnetId": "local"},
        ),
        ("delete_client_vpn_route", {"DestinationCidrBlock": "0.0.0.0/0"}),
        ("describe_client_vpn_routes", {}),
    ],
)
def test_unknown_endpoint(ec2: Any, operation: str, arguments: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(ClientVpnEndpointId=UNKNOWN_ENDPOINT, **arguments)
    assert error_of(error) == (
        "InvalidClientVpnEndpointId.NotFound",
        f"Endpoint {UNKNOWN_ENDPOINT} does not exist",
    )


def test_deleting_endpoint_refuses_new_routes(
    emulator: Emulator, ec2: Any, network: Network
) -> None:
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    emulator.set_endpoint_status(endpoint_id, "deleting")
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    assert error_of(error)[0] == "IncorrectState"


# -- DryRun and ClientToken -----------------------------------------------------------------


def test_dry_runs_validate_and_change_nothing(ec2: Any, network: Network) -> None:
    # Given an associated endpoint with one added route
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    before = routes_of(ec2, endpoint_id)

    # When valid calls are dry runs, Then each answers DryRunOperation
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "create_client_vpn_route",
            {"DestinationCidrBlock": "10.8.0.0/16", "TargetVpcSubnetId": network.subnet_a},
        ),
        ("delete_client_vpn_route", {"DestinationCidrBlock": "0.0.0.0/0"}),
        ("describe_client_vpn_routes", {}),
    ]
    for operation, arguments in calls:
        with pytest.raises(ClientError) as error:
            getattr(ec2, operation)(ClientVpnEndpointId=endpoint_id, DryRun=True, **arguments)
        assert error_of(error)[0] == "DryRunOperation"

    # And an invalid dry run reports the real error
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a, DryRun=True)
    assert error_of(error)[0] == "InvalidClientVpnDuplicateRoute"
    # And the route table did not change
    assert routes_of(ec2, endpoint_id) == before


def test_client_token_makes_create_idempotent(ec2: Any, network: Network) -> None:
    # Given an associated endpoint
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)

    # When the same create is retried with the same token, Then both succeed, one route exists
    for _ in range(2):
        response = add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a, ClientToken="t")
        assert response["Status"] == {"Code": "creating"}
    assert (
        len(routes_of(ec2, endpoint_id, Filters=[{"Name": "origin", "Values": ["add-route"]}])) == 1
    )

    # When the token is reused for another route, Then AWS refuses it
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "10.8.0.0/16", network.subnet_a, ClientToken="t")
    assert error_of(error)[0] == "IdempotentParameterMismatch"


# -- filters and paging ---------------------------------------------------------------------


def test_filters_and_pages(emulator: Emulator, ec2: Any, network: Network) -> None:
    # Given two association routes and six added routes, alternating subnets
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    associate(ec2, endpoint_id, network.subnet_b)
    for index in range(6):
        subnet = network.subnet_a if index % 2 else network.subnet_b
        add_route(ec2, endpoint_id, f"172.16.{index}.0/24", subnet)

    def destinations(*filters: tuple[str, list[str]]) -> list[str]:
        named = [{"Name": name, "Values": values} for name, values in filters]
        return [route["DestinationCidr"] for route in routes_of(ec2, endpoint_id, Filters=named)]

    # Then filters select routes, values OR-ed, filters AND-ed, in creation order
    assert destinations(("origin", ["associate"])) == [network.vpc_cidr, network.vpc_cidr]
    assert len(destinations(("origin", ["add-route"]))) == 6
    assert destinations(("destination-cidr", ["172.16.1.0/24", "172.16.4.0/24"])) == [
        "172.16.1.0/24",
        "172.16.4.0/24",
    ]
    assert destinations(("target-subnet", [network.subnet_a]), ("origin", ["add-route"])) == [
        "172.16.1.0/24",
        "172.16.3.0/24",
        "172.16.5.0/24",
    ]
    # And the paginator walks them five at a time
    pages = list(
        ec2.get_paginator("describe_client_vpn_routes").paginate(
            ClientVpnEndpointId=endpoint_id, PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(page["Routes"]) for page in pages] == [5, 3]

    # And bad paging and filters get AWS's codes
    unchecked = emulator.ec2(parameter_validation=False)
    with pytest.raises(ClientError) as error:
        unchecked.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id, MaxResults=4)
    assert error_of(error)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id, NextToken="garbage")
    assert error_of(error)[0] == "InvalidPaginationToken"
    with pytest.raises(ClientError) as error:
        destinations(("vpc-id", [network.vpc_id]))
    assert error_of(error) == ("InvalidParameterValue", "The filter 'vpc-id' is invalid")


# -- faults, counters and reset -------------------------------------------------------------


def test_faults_and_counters_cover_route_operations(emulator: Emulator, network: Network) -> None:
    # Given an associated endpoint and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)

    # When the next create is throttled, Then the client sees AWS's code and status
    emulator.inject_error("CreateClientVpnRoute", "RequestLimitExceeded", endpoint_id=endpoint_id)
    with pytest.raises(ClientError) as error:
        add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    assert error_of(error)[0] == "RequestLimitExceeded"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    # And the retry succeeds, both calls counted for the endpoint
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)
    assert emulator.call_counts()["CreateClientVpnRoute"] == 2
    assert emulator.endpoint_call_counts()["CreateClientVpnRoute"] == {endpoint_id: 2}


def test_reset_wipes_routes(emulator: Emulator, ec2: Any, network: Network) -> None:
    # Given a route
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    add_route(ec2, endpoint_id, "0.0.0.0/0", network.subnet_a)

    # When moto is reset, Then the endpoint and its route table are gone
    emulator.reset()
    with pytest.raises(ClientError) as error:
        routes_of(ec2, endpoint_id)
    assert error_of(error)[0] == "InvalidClientVpnEndpointId.NotFound"
