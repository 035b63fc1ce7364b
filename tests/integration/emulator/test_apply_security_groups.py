"""ApplySecurityGroupsToClientVpnTargetNetwork: the endpoint's groups and VPC."""

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


def new_group(ec2: Any, vpc_id: str, name: str = "vpn-clients") -> str:
    created = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)
    return str(created["GroupId"])


def apply(ec2: Any, endpoint_id: str, vpc_id: str, group_ids: list[str], **kwargs: Any) -> Any:
    return ec2.apply_security_groups_to_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, VpcId=vpc_id, SecurityGroupIds=group_ids, **kwargs
    )


@pytest.mark.server_smoke
def test_groups_replace_the_default_group_everywhere(ec2: Any, network: Network) -> None:
    # Given an endpoint associated with a subnet, so it uses the VPC's default group
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    first, second = new_group(ec2, network.vpc_id, "a"), new_group(ec2, network.vpc_id, "b")

    # When two groups are applied
    response = apply(ec2, endpoint_id, network.vpc_id, [first, second])

    # Then AWS answers with the applied groups
    assert response["SecurityGroupIds"] == [first, second]
    # And they replace the default group on the endpoint and on its target network
    described = describe_endpoint(ec2, endpoint_id)
    assert described["SecurityGroupIds"] == [first, second]
    assert described["VpcId"] == network.vpc_id
    (target,) = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
        "ClientVpnTargetNetworks"
    ]
    assert target["SecurityGroups"] == [first, second]


def test_groups_before_any_association_set_the_vpc(ec2: Any, network: Network) -> None:
    # Given an endpoint without a VPC
    endpoint_id = create_endpoint(ec2)
    group = new_group(ec2, network.vpc_id)

    # When a group is applied, Then the endpoint takes the VPC and the group
    apply(ec2, endpoint_id, network.vpc_id, [group])
    described = describe_endpoint(ec2, endpoint_id)
    assert (described["VpcId"], described["SecurityGroupIds"]) == (network.vpc_id, [group])

    # And a later association keeps the applied group rather than the default one
    associate(ec2, endpoint_id, network.subnet_a)
    assert describe_endpoint(ec2, endpoint_id)["SecurityGroupIds"] == [group]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("vpc-of-no-target-network", "InvalidParameterValue"),
        ("group-of-another-vpc", "InvalidParameterValue"),
        ("unknown-group", "InvalidGroup.NotFound"),
        ("unknown-vpc", "InvalidVpcID.NotFound"),
        ("six-groups", "InvalidParameterValue"),
    ],
)
def test_invalid_groups_are_refused(ec2: Any, network: Network, case: str, code: str) -> None:
    # Given an endpoint with a target network in the network's VPC, and another VPC
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    requests = {
        "vpc-of-no-target-network": (other_vpc, [new_group(ec2, other_vpc)]),
        "group-of-another-vpc": (network.vpc_id, [new_group(ec2, other_vpc, "elsewhere")]),
        "unknown-group": (network.vpc_id, ["sg-0123456789abcdef0"]),
        "unknown-vpc": ("vpc-0123456789abcdef0", [network.default_group_id]),
        "six-groups": (network.vpc_id, [new_group(ec2, network.vpc_id, f"g{i}") for i in range(6)]),
    }
    vpc_id, group_ids = requests[case]
    before = describe_endpoint(ec2, endpoint_id)

    # When the groups are applied, Then AWS's code comes back and nothing changed
    with pytest.raises(ClientError) as error:
        apply(ec2, endpoint_id, vpc_id, group_ids)
    assert error_of(error)[0] == code
    assert describe_endpoint(ec2, endpoint_id) == before


def test_missing_groups_and_unknown_endpoint(emulator: Emulator, network: Network) -> None:
    # Given a client that sends what botocore would refuse
    ec2 = emulator.ec2(parameter_validation=False)
    endpoint_id = create_endpoint(ec2)

    with pytest.raises(ClientError) as error:
        apply(ec2, endpoint_id, network.vpc_id, [])
    assert error_of(error)[0] == "MissingParameter"
    with pytest.raises(ClientError) as error:
        apply(ec2, "cvpn-endpoint-0123456789abcdef0", network.vpc_id, [network.default_group_id])
    assert error_of(error)[0] == "InvalidClientVpnEndpointId.NotFound"


def test_endpoints_that_cannot_take_groups(emulator: Emulator, ec2: Any, network: Network) -> None:
    # A transit gateway endpoint has no VPC security groups
    tgw_endpoint = create_endpoint(
        ec2, TransitGatewayConfiguration={"TransitGatewayId": "tgw-0123456789abcdef0"}
    )
    with pytest.raises(ClientError) as error:
        apply(ec2, tgw_endpoint, network.vpc_id, [network.default_group_id])
    assert error_of(error)[0] == "InvalidParameterCombination"

    # A deleting endpoint cannot change
    deleting = create_endpoint(ec2)
    emulator.set_endpoint_status(deleting, "deleting")
    with pytest.raises(ClientError) as error:
        apply(ec2, deleting, network.vpc_id, [network.default_group_id])
    assert error_of(error)[0] == "IncorrectState"


def test_dry_run_validates_and_changes_nothing(ec2: Any, network: Network) -> None:
    # Given an associated endpoint
    endpoint_id = create_endpoint(ec2)
    associate(ec2, endpoint_id, network.subnet_a)
    before = describe_endpoint(ec2, endpoint_id)
    group = new_group(ec2, network.vpc_id)

    # When a valid apply is a dry run, Then DryRunOperation comes back and nothing changed
    with pytest.raises(ClientError) as error:
        apply(ec2, endpoint_id, network.vpc_id, [group], DryRun=True)
    assert error_of(error)[0] == "DryRunOperation"
    assert describe_endpoint(ec2, endpoint_id) == before

    # When an invalid one is, Then validation wins
    with pytest.raises(ClientError) as error:
        apply(ec2, endpoint_id, network.vpc_id, ["sg-0123456789abcdef0"], DryRun=True)
    assert error_of(error)[0] == "InvalidGroup.NotFound"


def test_fault_and_counters(emulator: Emulator, network: Network) -> None:
    # Given an endpoint and a client that does not retry
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)

    # When the operation is made to fail, Then the client sees the code
    emulator.inject_error("ApplySecurityGroupsToClientVpnTargetNetwork", "UnauthorizedOperation")
    with pytest.raises(ClientError) as error:
        apply(ec2, endpoint_id, network.vpc_id, [network.default_group_id])
    assert error_of(error)[0] == "UnauthorizedOperation"
    # And the next call applies, both counted for the endpoint
    apply(ec2, endpoint_id, network.vpc_id, [network.default_group_id])
    assert emulator.endpoint_call_counts()["ApplySecurityGroupsToClientVpnTargetNetwork"] == {
        endpoint_id: 2
    }


def test_reset_wipes_applied_groups(emulator: Emulator, ec2: Any, network: Network) -> None:
    # Given groups applied to an endpoint
    endpoint_id = create_endpoint(ec2)
    apply(ec2, endpoint_id, network.vpc_id, [network.default_group_id])

    # When moto is reset, Then the endpoint is gone with them
    emulator.reset()
    assert emulator.ec2(REGION).describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []
