"""Target network associations (and the endpoint status they drive), authorization rules."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    REGION,
    Network,
    associate,
    create_endpoint,
    describe_endpoint,
    error_of,
)


@pytest.mark.server_smoke
def test_first_association_makes_the_endpoint_available(ec2: Any, network: Network) -> None:
    # Given a new endpoint without a VPC
    endpoint_id = create_endpoint(ec2)

    # When a subnet is associated
    response = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_a
    )

    # Then the association is under way and the endpoint is available
    assert response["AssociationId"].startswith("cvpn-assoc-")
    assert response["Status"] == {"Code": "associating"}
    described = describe_endpoint(ec2, endpoint_id)
    assert described["Status"] == {"Code": "available"}
    # And the endpoint took the subnet's VPC and that VPC's default group
    assert described["VpcId"] == network.vpc_id
    assert described["SecurityGroupIds"] == [network.default_group_id]
    assert described["AssociatedTargetNetworks"] == [
        {"NetworkId": network.subnet_a, "NetworkType": "vpc"}
    ]
    # And the target network is described as associated
    (target,) = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
        "ClientVpnTargetNetworks"
    ]
    assert target == {
        "AssociationId": response["AssociationId"],
        "VpcId": network.vpc_id,
        "TargetNetworkId": network.subnet_a,
        "ClientVpnEndpointId": endpoint_id,
        "Status": {"Code": "associated"},
        "SecurityGroups": [network.default_group_id],
    }


def test_removing_the_last_association_returns_to_pending_associate(
    ec2: Any, network: Network
) -> None:
    # Given an endpoint with subnets in two zones
    endpoint_id = create_endpoint(ec2)
    first = associate(ec2, endpoint_id, network.subnet_a)
    second = associate(ec2, endpoint_id, network.subnet_b)

    # When one is disassociated, Then the endpoint stays available
    response = ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=first
    )
    assert response == {
        "AssociationId": first,
        "Status": {"Code": "disassociating"},
        "ResponseMetadata": response["ResponseMetadata"],
    }
    assert describe_endpoint(ec2, endpoint_id)["Status"] == {"Code": "available"}

    # When the last one is disassociated, Then it waits for an association again
    ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=second
    )
    assert describe_endpoint(ec2, endpoint_id)["Status"] == {"Code": "pending-associate"}
    assert (
        ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
            "ClientVpnTargetNetworks"
        ]
        == []
    )


@pytest.mark.parametrize(
    ("second_subnet", "code"),
    [
        ("subnet_a", "InvalidClientVpnDuplicateAssociationException"),
        ("subnet_a2", "InvalidClientVpnSubnetId.DuplicateAz"),
    ],
)
def test_one_subnet_per_zone(ec2: Any, network: Network, second_subnet: str, code: str) -> None:
    # Given an endpoint associated with a subnet in zone a
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)

    # When the same subnet, or another one in zone a, is associated, Then AWS refuses
    with pytest.raises(ClientError) as error:
        associate(ec2, endpoint_id, getattr(network, second_subnet))
    assert error_of(error)[0] == code


def test_subnet_outside_the_endpoint_vpc_is_refused(ec2: Any, network: Network) -> None:
    # Given an endpoint in the network's VPC and a subnet of another VPC
    endpoint_id = create_endpoint(ec2, VpcId=network.vpc_id)
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]

    # When it is associated, Then AWS says the subnet is not in the endpoint's VPC
    with pytest.raises(ClientError) as error:
        associate(ec2, endpoint_id, foreign)
    assert error_of(error)[0] == "InvalidClientVpnSubnetId.NotFound"


def test_client_cidr_overlapping_the_vpc_is_refused(ec2: Any, network: Network) -> None:
    # Given an endpoint whose client CIDR overlaps the VPC
    endpoint_id = create_endpoint(ec2, ClientCidrBlock="10.0.0.0/16")

    # When a subnet of that VPC is associated, Then AWS refuses the overlap
    with pytest.raises(ClientError) as error:
        associate(ec2, endpoint_id, network.subnet_a)
    assert error_of(error)[0] == "InvalidClientVpnSubnetId.OverlappingCidr"


def test_unknown_subnet_and_association(ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)
    with pytest.raises(ClientError) as error:
        associate(ec2, endpoint_id, "subnet-0123456789abcdef0")
    assert error_of(error)[0] == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as error:
        ec2.disassociate_client_vpn_target_network(
            ClientVpnEndpointId=endpoint_id, AssociationId="cvpn-assoc-0123456789abcdef0"
        )
    assert error_of(error)[0] == "InvalidClientVpnAssociationIdNotFound"


def test_endpoint_with_target_networks_cannot_be_deleted(ec2: Any, network: Network) -> None:
    # Given an associated endpoint
    endpoint_id = create_endpoint(ec2)
    association_id = associate(ec2, endpoint_id, network.subnet_a)

    # When it is deleted, Then AWS asks to disassociate first
    with pytest.raises(ClientError) as error:
        ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)
    assert error_of(error)[0] == "IncorrectState"

    # When the target network is disassociated, Then the delete goes through
    ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=association_id
    )
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"] == {
        "Code": "deleting"
    }


def test_target_networks_filter_and_client_token(ec2: Any, network: Network) -> None:
    # Given two associations, the first made twice with the same client token
    endpoint_id = create_endpoint(ec2)
    first = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_a, ClientToken="t"
    )
    again = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_a, ClientToken="t"
    )
    second = associate(ec2, endpoint_id, network.subnet_b)

    # Then the retry returned the same association
    assert again["AssociationId"] == first["AssociationId"]

    # And filters and AssociationIds select target networks
    def targets(**kwargs: Any) -> list[str]:
        response = ec2.describe_client_vpn_target_networks(
            ClientVpnEndpointId=endpoint_id, **kwargs
        )
        return [target["AssociationId"] for target in response["ClientVpnTargetNetworks"]]

    assert targets() == [first["AssociationId"], second]
    assert targets(AssociationIds=[second]) == [second]
    assert targets(Filters=[{"Name": "target-network-id", "Values": [network.subnet_a]}]) == [
        first["AssociationId"]
    ]
    assert targets(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}]) == [
        first["AssociationId"],
        second,
    ]


def test_transit_gateway_endpoint_associates_zones(ec2: Any) -> None:
    # Given an endpoint on a transit gateway
    endpoint_id = create_endpoint(
        ec2, TransitGatewayConfiguration={"TransitGatewayId": "tgw-0123456789abcdef0"}
    )

    # When a zone is associated instead of a subnet
    ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AvailabilityZone=f"{REGION}a"
    )

    # Then the endpoint is available and the target names the zone
    assert describe_endpoint(ec2, endpoint_id)["Status"] == {"Code": "available"}
    (target,) = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
        "ClientVpnTargetNetworks"
    ]
    assert target["AvailabilityZones"] == [f"{REGION}a"]


# -- authorization rules ------------------------------------------------------------------


def rules_of(ec2: Any, endpoint_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=endpoint_id, **kwargs
    )
    return list(response["AuthorizationRules"])


def test_rule_for_all_groups_grants_access_to_all(ec2: Any) -> None:
    # Given an endpoint
    endpoint_id = create_endpoint(ec2)

    # When ingress to everything is authorized for all groups
    response = ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id,
        TargetNetworkCidr="0.0.0.0/0",
        AuthorizeAllGroups=True,
        Description="internet",
    )

    # Then the rule is being authorized, and is described as active with AccessAll
    assert response["Status"] == {"Code": "authorizing"}
    assert rules_of(ec2, endpoint_id) == [
        {
            "ClientVpnEndpointId": endpoint_id,
            "Description": "internet",
            "GroupId": "",
            "AccessAll": True,
            "DestinationCidr": "0.0.0.0/0",
            "Status": {"Code": "active"},
        }
    ]


def test_rule_for_a_group_does_not_grant_access_to_all(ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16", AccessGroupId="S-1-5-21"
    )
    (rule,) = rules_of(ec2, endpoint_id)
    assert rule["AccessAll"] is False
    assert rule["GroupId"] == "S-1-5-21"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        pytest.param({}, "InvalidParameterValue", id="neither-group-nor-all"),
        pytest.param(
            {"AccessGroupId": "g", "AuthorizeAllGroups": True},
            "InvalidParameterCombination",
            id="group-and-all",
        ),
        pytest.param(
            {"AuthorizeAllGroups": True, "TargetNetworkCidr": "10.0.0.0/33"},
            "InvalidParameterValue",
            id="bad-cidr",
        ),
    ],
)
def test_invalid_rules_are_refused(ec2: Any, arguments: dict[str, Any], code: str) -> None:
    endpoint_id = create_endpoint(ec2)
    with pytest.raises(ClientError) as error:
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id, **{"TargetNetworkCidr": "10.0.0.0/16", **arguments}
        )
    assert error_of(error)[0] == code


def test_duplicate_rule_is_refused_and_revoke_removes_it(ec2: Any) -> None:
    # Given a rule
    endpoint_id = create_endpoint(ec2)
    rule = {"ClientVpnEndpointId": endpoint_id, "TargetNetworkCidr": "10.0.0.0/16"}
    ec2.authorize_client_vpn_ingress(**rule, AuthorizeAllGroups=True)

    # When it is added again, Then AWS reports the duplicate
    with pytest.raises(ClientError) as error:
        ec2.authorize_client_vpn_ingress(**rule, AuthorizeAllGroups=True)
    assert error_of(error)[0] == "InvalidClientVpnDuplicateAuthorizationRule"

    # When it is revoked, Then it is revoking and gone
    assert ec2.revoke_client_vpn_ingress(**rule, RevokeAllGroups=True)["Status"] == {
        "Code": "revoking"
    }
    assert rules_of(ec2, endpoint_id) == []

    # When it is revoked again, Then it is not found
    with pytest.raises(ClientError) as error:
        ec2.revoke_client_vpn_ingress(**rule, RevokeAllGroups=True)
    assert error_of(error)[0] == "InvalidClientVpnEndpointAuthorizationRuleNotFound"


def test_rules_filter_and_page(ec2: Any) -> None:
    # Given seven rules, one per group
    endpoint_id = create_endpoint(ec2)
    for index in range(7):
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id,
            TargetNetworkCidr=f"10.{index}.0.0/16",
            AccessGroupId=f"group-{index}",
            Description="odd" if index % 2 else "even",
        )

    # Then filters select rules
    by_group = rules_of(ec2, endpoint_id, Filters=[{"Name": "group-id", "Values": ["group-3"]}])
    assert [rule["DestinationCidr"] for rule in by_group] == ["10.3.0.0/16"]
    odd = rules_of(ec2, endpoint_id, Filters=[{"Name": "description", "Values": ["odd"]}])
    assert len(odd) == 3
    by_cidr = rules_of(
        ec2, endpoint_id, Filters=[{"Name": "destination-cidr", "Values": ["10.6.0.0/16"]}]
    )
    assert [rule["GroupId"] for rule in by_cidr] == ["group-6"]
    # And the paginator walks them in pages of five
    pages = list(
        ec2.get_paginator("describe_client_vpn_authorization_rules").paginate(
            ClientVpnEndpointId=endpoint_id, PaginationConfig={"PageSize": 5}
        )
    )
    assert [len(page["AuthorizationRules"]) for page in pages] == [5, 2]
