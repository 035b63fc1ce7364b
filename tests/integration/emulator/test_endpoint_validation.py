"""The errors AWS returns for bad Client VPN requests, DryRun and ClientToken idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import (
    Network,
    create_endpoint,
    describe_endpoint,
    endpoint_request,
    error_of,
)

INVALID_CREATES = [
    pytest.param({"SessionTimeoutHours": 5}, "InvalidParameterValue", id="timeout-not-8-10-12-24"),
    pytest.param({"VpnPort": 80}, "InvalidParameterValue", id="port-not-443-1194"),
    pytest.param(
        {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "x" * 1401}},
        "InvalidParameterValue",
        id="banner-over-1400",
    ),
    pytest.param(
        {"ClientLoginBannerOptions": {"Enabled": True}},
        "InvalidParameterValue",
        id="banner-enabled-without-text",
    ),
    pytest.param(
        {"DnsServers": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]},
        "InvalidParameterValue",
        id="three-dns-servers",
    ),
    pytest.param({"DnsServers": ["dns.example.com"]}, "InvalidParameterValue", id="dns-not-ip"),
    pytest.param({"ClientCidrBlock": "not-a-cidr"}, "InvalidParameterValue", id="cidr-garbage"),
    pytest.param({"ClientCidrBlock": "10.0.0.0/24"}, "InvalidParameterValue", id="cidr-over-22"),
    pytest.param({"ClientCidrBlock": "10.0.0.0/8"}, "InvalidParameterValue", id="cidr-under-12"),
    pytest.param(
        {"ConnectionLogOptions": {"Enabled": True}},
        "InvalidParameterValue",
        id="logging-without-log-group",
    ),
    pytest.param(
        {"SecurityGroupIds": ["sg-0123456789abcdef0"]},
        "InvalidParameterValue",
        id="groups-without-vpc",
    ),
    pytest.param({"TransportProtocol": "icmp"}, "InvalidParameterValue", id="transport"),
    pytest.param({"SelfServicePortal": "maybe"}, "InvalidParameterValue", id="portal-value"),
    pytest.param(
        {"ClientConnectOptions": {"Enabled": True}},
        "InvalidParameterValue",
        id="client-connect-without-lambda",
    ),
    pytest.param(
        {"AuthenticationOptions": [{"Type": "certificate-authentication"}]},
        "InvalidParameterValue",
        id="certificate-auth-without-chain",
    ),
    pytest.param(
        {
            "AuthenticationOptions": [
                {
                    "Type": "directory-service-authentication",
                    "ActiveDirectory": {"DirectoryId": "d"},
                },
                {
                    "Type": "federated-authentication",
                    "FederatedAuthentication": {
                        "SAMLProviderArn": "arn:aws:iam::1:saml-provider/x"
                    },
                },
            ]
        },
        "InvalidParameterCombination",
        id="directory-with-federated",
    ),
    pytest.param(
        {"TrafficIpAddressType": "ipv6"},
        "InvalidParameterCombination",
        id="ipv6-traffic-with-client-cidr",
    ),
    pytest.param({"EndpointIpAddressType": "ipv5"}, "InvalidParameterValue", id="ip-type"),
    pytest.param({"VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound", id="unknown-vpc"),
]


@pytest.mark.server_smoke
@pytest.mark.parametrize(("overrides", "code"), INVALID_CREATES)
def test_invalid_create_is_rejected_with_aws_code(
    ec2: Any, overrides: dict[str, Any], code: str
) -> None:
    # When an invalid endpoint is requested, Then AWS's error code comes back
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(**overrides))
    assert error_of(error)[0] == code
    # And nothing was created
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []


def test_messages_explain_the_problem(ec2: Any) -> None:
    # When the session timeout is not one of the allowed values
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(SessionTimeoutHours=9))

    # Then the message names the parameter and the valid values
    assert error_of(error) == (
        "InvalidParameterValue",
        "Invalid value '9' for SessionTimeoutHours. Valid values: 8 | 10 | 12 | 24",
    )


def test_banner_of_exactly_1400_characters_is_accepted(ec2: Any) -> None:
    # When the banner is exactly at the limit
    endpoint_id = create_endpoint(
        ec2, ClientLoginBannerOptions={"Enabled": True, "BannerText": "é" * 1400}
    )

    # Then it is stored as given
    banner = describe_endpoint(ec2, endpoint_id)["ClientLoginBannerOptions"]
    assert banner["BannerText"] == "é" * 1400


def test_transit_gateway_with_vpc_is_rejected(ec2: Any, network: Network) -> None:
    # When both a transit gateway and a VPC are given, Then the combination is refused
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(
            **endpoint_request(
                VpcId=network.vpc_id,
                TransitGatewayConfiguration={"TransitGatewayId": "tgw-0123456789abcdef0"},
            )
        )
    assert error_of(error)[0] == "InvalidParameterCombination"


def test_group_from_another_vpc_is_rejected(ec2: Any, network: Network) -> None:
    # Given a security group of another VPC
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    group_id = ec2.create_security_group(GroupName="x", Description="x", VpcId=other_vpc)["GroupId"]

    # When it is used with the network's VPC, Then it is refused
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(
            **endpoint_request(VpcId=network.vpc_id, SecurityGroupIds=[group_id])
        )
    assert error_of(error)[0] == "InvalidParameterValue"


INVALID_MODIFICATIONS = [
    pytest.param({"SessionTimeoutHours": 9}, "InvalidParameterValue", id="timeout"),
    pytest.param({"VpnPort": 8443}, "InvalidParameterValue", id="port"),
    pytest.param(
        {"DnsServers": {"CustomDnsServers": ["1.1.1.1", "1.0.0.1", "8.8.8.8"], "Enabled": True}},
        "InvalidParameterValue",
        id="three-dns-servers",
    ),
    pytest.param(
        {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": "b" * 1401}},
        "InvalidParameterValue",
        id="banner-too-long",
    ),
    pytest.param(
        {"ConnectionLogOptions": {"Enabled": True}},
        "InvalidParameterValue",
        id="logging-without-group",
    ),
    pytest.param(
        {"SecurityGroupIds": ["sg-0123456789abcdef0"]},
        "InvalidParameterValue",
        id="groups-without-vpc",
    ),
    pytest.param({"SelfServicePortal": "on"}, "InvalidParameterValue", id="portal"),
    pytest.param(
        {"TransitGatewayConfiguration": {"TransitGatewayId": "tgw-0123456789abcdef0"}},
        "InvalidParameterValue",
        id="transit-gateway-not-modifiable",
    ),
]


@pytest.mark.parametrize(("modification", "code"), INVALID_MODIFICATIONS)
def test_invalid_modify_is_rejected_and_changes_nothing(
    ec2: Any, modification: dict[str, Any], code: str
) -> None:
    # Given an endpoint
    endpoint_id = create_endpoint(ec2)
    before = describe_endpoint(ec2, endpoint_id)

    # When an invalid modification is sent, Then AWS's code comes back
    with pytest.raises(ClientError) as error:
        ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, **modification)
    assert error_of(error)[0] == code
    # And the endpoint is unchanged
    assert describe_endpoint(ec2, endpoint_id) == before


UNKNOWN = "cvpn-endpoint-0123456789abcdef0"


NOT_FOUND_CALLS = [
    ("modify_client_vpn_endpoint", {"ClientVpnEndpointId": UNKNOWN, "VpnPort": 443}),
    ("delete_client_vpn_endpoint", {"ClientVpnEndpointId": UNKNOWN}),
    ("describe_client_vpn_endpoints", {"ClientVpnEndpointIds": [UNKNOWN]}),
    ("describe_client_vpn_target_networks", {"ClientVpnEndpointId": UNKNOWN}),
    ("describe_client_vpn_connections", {"ClientVpnEndpointId": UNKNOWN}),
    ("describe_client_vpn_authorization_rules", {"ClientVpnEndpointId": UNKNOWN}),
    (
        "associate_client_vpn_target_network",
        {"ClientVpnEndpointId": UNKNOWN, "SubnetId": "subnet-0123456789abcdef0"},
    ),
]


@pytest.mark.parametrize(
    ("operation", "arguments"), NOT_FOUND_CALLS, ids=[name for name, _ in NOT_FOUND_CALLS]
)
def test_unknown_endpoint_is_not_found(ec2: Any, operation: str, arguments: dict[str, Any]) -> None:
    # When an endpoint that does not exist is named, Then it is not found, as in AWS
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(**arguments)
    assert error_of(error) == (
        "InvalidClientVpnEndpointId.NotFound",
        f"Endpoint {UNKNOWN} does not exist",
    )


def test_dry_run_create_validates_then_creates_nothing(ec2: Any) -> None:
    # When a valid create is a dry run, Then AWS's DryRunOperation comes back
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(DryRun=True))
    assert error_of(error) == (
        "DryRunOperation",
        "Request would have succeeded, but DryRun flag is set.",
    )
    # And nothing was created
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []


def test_dry_run_of_an_invalid_request_reports_the_real_error(ec2: Any) -> None:
    # When an invalid create is a dry run, Then validation wins over DryRunOperation
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(DryRun=True, VpnPort=80))
    assert error_of(error)[0] == "InvalidParameterValue"


DRY_RUNS = [
    ("modify_client_vpn_endpoint", {"SessionTimeoutHours": 8}),
    ("delete_client_vpn_endpoint", {}),
    ("describe_client_vpn_target_networks", {}),
    (
        "authorize_client_vpn_ingress",
        {"TargetNetworkCidr": "10.0.0.0/8", "AuthorizeAllGroups": True},
    ),
    ("describe_client_vpn_authorization_rules", {}),
    ("describe_client_vpn_connections", {}),
]


@pytest.mark.parametrize(("operation", "arguments"), DRY_RUNS, ids=[name for name, _ in DRY_RUNS])
def test_dry_runs_on_an_endpoint_change_nothing(
    ec2: Any, operation: str, arguments: dict[str, Any]
) -> None:
    # Given an endpoint
    endpoint_id = create_endpoint(ec2)
    before = describe_endpoint(ec2, endpoint_id)

    # When a valid call is a dry run, Then AWS's DryRunOperation comes back
    with pytest.raises(ClientError) as error:
        getattr(ec2, operation)(ClientVpnEndpointId=endpoint_id, DryRun=True, **arguments)
    assert error_of(error)[0] == "DryRunOperation"

    # And the endpoint is still there, unchanged, without rules
    assert describe_endpoint(ec2, endpoint_id) == before
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)
    assert rules["AuthorizationRules"] == []


def test_same_client_token_and_parameters_return_the_same_endpoint(ec2: Any) -> None:
    # When the same create is retried with the same client token
    first = ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="token-1"))
    second = ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="token-1"))

    # Then both calls name the same, single endpoint
    assert second["ClientVpnEndpointId"] == first["ClientVpnEndpointId"]
    assert len(ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]) == 1


def test_same_client_token_with_other_parameters_is_a_mismatch(ec2: Any) -> None:
    # Given an endpoint created with a client token
    ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="token-1"))

    # When the token is reused for a different request, Then AWS refuses it
    with pytest.raises(ClientError) as error:
        ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="token-1", VpnPort=1194))
    assert error_of(error)[0] == "IdempotentParameterMismatch"


def test_different_client_tokens_create_different_endpoints(ec2: Any) -> None:
    # When the same request is sent with two tokens
    first = ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="a"))
    second = ec2.create_client_vpn_endpoint(**endpoint_request(ClientToken="b"))

    # Then there are two endpoints
    assert first["ClientVpnEndpointId"] != second["ClientVpnEndpointId"]
