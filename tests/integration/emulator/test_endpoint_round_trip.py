"""Every member of Create/Modify/DescribeClientVpnEndpoints through real boto3 calls.

moto drops keys its serializer does not know, so each field is asserted as Describe
returns it, including the renames AWS makes between request and response.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.emulator.conftest import (
    CERT_ARN,
    LAMBDA_ARN,
    REGION,
    ROOT_CHAIN_ARN,
    SAML_ARN,
    SELF_SERVICE_SAML_ARN,
    Emulator,
    Network,
    create_endpoint,
    describe_endpoint,
    endpoint_request,
)

ENDPOINT_ID = re.compile(r"^cvpn-endpoint-[0-9a-f]{17}$")
BANNER = "Authorized use only. Activity is monitored."
LOG_GROUP = "/aws/clientvpn"
TRUST_PROVIDER = {
    "TrustProviderType": "crowdstrike",
    "TenantId": "tenant-1",
    "PublicSigningKeyUrl": "https://keys.example.com/jwks",
}


@pytest.fixture(autouse=True)
def log_group(emulator: Emulator) -> None:
    """The log group these endpoints log into: Client VPN logs only into an existing group."""
    emulator.client("logs").create_log_group(logGroupName=LOG_GROUP)


def full_request(network: Network, group_id: str) -> dict[str, Any]:
    return endpoint_request(
        ClientCidrBlock="10.100.0.0/16",
        AuthenticationOptions=[
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": ROOT_CHAIN_ARN},
            },
            {
                "Type": "federated-authentication",
                "FederatedAuthentication": {
                    "SAMLProviderArn": SAML_ARN,
                    "SelfServiceSAMLProviderArn": SELF_SERVICE_SAML_ARN,
                },
            },
        ],
        ConnectionLogOptions={
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "connections",
            "IncludeAuthorizationPolicyContext": True,
        },
        DnsServers=["10.0.0.2", "8.8.8.8"],
        TransportProtocol="tcp",
        VpnPort=1194,
        Description="corporate access",
        SplitTunnel=True,
        TagSpecifications=[
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Team", "Value": "net"}]}
        ],
        SecurityGroupIds=[group_id],
        VpcId=network.vpc_id,
        SelfServicePortal="enabled",
        ClientConnectOptions={"Enabled": True, "LambdaFunctionArn": LAMBDA_ARN},
        SessionTimeoutHours=12,
        ClientLoginBannerOptions={"Enabled": True, "BannerText": BANNER},
        ClientRouteEnforcementOptions={"Enforced": True},
        DisconnectOnSessionTimeout=False,
        EndpointIpAddressType="dual-stack",
        TrafficIpAddressType="dual-stack",
        DevicePostureOptions={"Enabled": True, "TrustProviders": [TRUST_PROVIDER]},
    )


@pytest.mark.server_smoke
def test_create_returns_id_status_and_dns_name(ec2: Any) -> None:
    # When an endpoint is created
    created = ec2.create_client_vpn_endpoint(**endpoint_request())

    # Then the response has the three members AWS returns, shaped like AWS's
    endpoint_id = created["ClientVpnEndpointId"]
    assert ENDPOINT_ID.match(endpoint_id)
    assert created["Status"] == {"Code": "pending-associate"}
    assert created["DnsName"] == f"*.{endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com"


def test_every_create_member_is_described_with_aws_names(ec2: Any, network: Network) -> None:
    # Given a security group in the VPC
    group_id = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=network.vpc_id)[
        "GroupId"
    ]

    # When an endpoint is created with every member set
    endpoint_id = ec2.create_client_vpn_endpoint(**full_request(network, group_id))[
        "ClientVpnEndpointId"
    ]
    described = describe_endpoint(ec2, endpoint_id)

    # Then Describe returns each of them, renamed where AWS renames them
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", described.pop("CreationTime"))
    assert described == {
        "ClientVpnEndpointId": endpoint_id,
        "Description": "corporate access",
        "Status": {"Code": "pending-associate"},
        "DnsName": f"*.{endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com",
        "ClientCidrBlock": "10.100.0.0/16",
        "DnsServers": ["10.0.0.2", "8.8.8.8"],
        "SplitTunnel": True,
        "VpnProtocol": "openvpn",
        "TransportProtocol": "tcp",
        "VpnPort": 1194,
        "AssociatedTargetNetworks": [],
        "ServerCertificateArn": CERT_ARN,
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChain": ROOT_CHAIN_ARN},
            },
            {
                "Type": "federated-authentication",
                "FederatedAuthentication": {
                    "SamlProviderArn": SAML_ARN,
                    "SelfServiceSamlProviderArn": SELF_SERVICE_SAML_ARN,
                },
            },
        ],
        "ConnectionLogOptions": {
            "Enabled": True,
            "CloudwatchLogGroup": "/aws/clientvpn",
            "CloudwatchLogStream": "connections",
            "IncludeAuthorizationPolicyContext": True,
        },
        "Tags": [{"Key": "Team", "Value": "net"}],
        "SecurityGroupIds": [group_id],
        "VpcId": network.vpc_id,
        "SelfServicePortalUrl": f"https://self-service.clientvpn.amazonaws.com/endpoints/{endpoint_id}",
        "ClientConnectOptions": {
            "Enabled": True,
            "LambdaFunctionArn": LAMBDA_ARN,
            "Status": {"Code": "applied"},
        },
        "SessionTimeoutHours": 12,
        "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER},
        "ClientRouteEnforcementOptions": {"Enforced": True},
        "DisconnectOnSessionTimeout": False,
        "EndpointIpAddressType": "dual-stack",
        "TrafficIpAddressType": "dual-stack",
        "DevicePostureOptions": {"TrustProviders": [TRUST_PROVIDER]},
    }
    # And Describe has no SelfServicePortal member, only the URL
    assert "SelfServicePortal" not in described


def test_defaults_are_the_documented_ones(ec2: Any) -> None:
    # When an endpoint is created with only the required members
    endpoint_id = create_endpoint(ec2)

    # Then the documented defaults apply
    described = describe_endpoint(ec2, endpoint_id)
    assert described["SessionTimeoutHours"] == 24
    assert described["VpnPort"] == 443
    assert described["TransportProtocol"] == "udp"
    assert described["SplitTunnel"] is False
    assert described["VpnProtocol"] == "openvpn"
    assert described["DisconnectOnSessionTimeout"] is True
    assert described["DnsServers"] == []
    assert described["ClientLoginBannerOptions"] == {"Enabled": False}
    assert described["ClientRouteEnforcementOptions"] == {"Enforced": False}
    assert described["ClientConnectOptions"] == {"Enabled": False, "Status": {"Code": "applied"}}
    assert described["ConnectionLogOptions"] == {"Enabled": False}
    assert described["EndpointIpAddressType"] == "ipv4"
    assert described["TrafficIpAddressType"] == "ipv4"
    assert described["Tags"] == []
    # And the self-service portal is on, as the API reference documents
    assert described["SelfServicePortalUrl"].endswith(endpoint_id)
    # And there is no VPC until one is given or a subnet is associated
    assert "VpcId" not in described
    assert described["SecurityGroupIds"] == []


def test_logging_without_a_stream_gets_a_generated_stream(ec2: Any) -> None:
    # When logging is enabled without naming a stream
    endpoint_id = create_endpoint(
        ec2, ConnectionLogOptions={"Enabled": True, "CloudwatchLogGroup": "/aws/clientvpn"}
    )

    # Then Client VPN names one after the endpoint and region
    stream = describe_endpoint(ec2, endpoint_id)["ConnectionLogOptions"]["CloudwatchLogStream"]
    assert stream.startswith(f"{endpoint_id}-{REGION}-")


def test_vpc_without_groups_gets_the_vpc_default_group(ec2: Any, network: Network) -> None:
    # When an endpoint names a VPC but no security group
    endpoint_id = create_endpoint(ec2, VpcId=network.vpc_id)

    # Then the VPC's default security group applies
    described = describe_endpoint(ec2, endpoint_id)
    assert described["VpcId"] == network.vpc_id
    assert described["SecurityGroupIds"] == [network.default_group_id]


def test_directory_authentication_round_trips(ec2: Any) -> None:
    # When an endpoint authenticates against Active Directory and certificates
    endpoint_id = create_endpoint(
        ec2,
        AuthenticationOptions=[
            {"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-1"}},
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": ROOT_CHAIN_ARN},
            },
        ],
    )

    # Then both options are described
    assert describe_endpoint(ec2, endpoint_id)["AuthenticationOptions"] == [
        {"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-1"}},
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChain": ROOT_CHAIN_ARN},
        },
    ]


def test_transit_gateway_endpoint_round_trips(ec2: Any) -> None:
    # When an endpoint is attached to a transit gateway instead of a VPC
    endpoint_id = create_endpoint(
        ec2,
        TransitGatewayConfiguration={
            "TransitGatewayId": "tgw-0123456789abcdef0",
            "AvailabilityZones": [f"{REGION}a", f"{REGION}b"],
        },
    )

    # Then Describe shows the configuration and an attachment id
    configuration = describe_endpoint(ec2, endpoint_id)["TransitGatewayConfiguration"]
    assert configuration["TransitGatewayId"] == "tgw-0123456789abcdef0"
    assert configuration["AvailabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert configuration["TransitGatewayAttachmentId"].startswith("tgw-attach-")


def test_ipv6_only_endpoint_needs_no_client_cidr(ec2: Any) -> None:
    # When an IPv6-only endpoint is created without a client CIDR
    request = endpoint_request(EndpointIpAddressType="ipv6", TrafficIpAddressType="ipv6")
    del request["ClientCidrBlock"]
    endpoint_id = ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"]

    # Then it is described without one
    described = describe_endpoint(ec2, endpoint_id)
    assert "ClientCidrBlock" not in described
    assert described["TrafficIpAddressType"] == "ipv6"


MODIFICATIONS = [
    pytest.param(
        {"ServerCertificateArn": ROOT_CHAIN_ARN},
        {"ServerCertificateArn": ROOT_CHAIN_ARN},
        id="cert",
    ),
    pytest.param({"VpnPort": 1194}, {"VpnPort": 1194}, id="port"),
    pytest.param({"Description": "changed"}, {"Description": "changed"}, id="description"),
    pytest.param({"SplitTunnel": True}, {"SplitTunnel": True}, id="split-tunnel"),
    pytest.param({"SessionTimeoutHours": 8}, {"SessionTimeoutHours": 8}, id="timeout"),
    pytest.param(
        {"DisconnectOnSessionTimeout": False},
        {"DisconnectOnSessionTimeout": False},
        id="disconnect",
    ),
    pytest.param(
        {"DnsServers": {"CustomDnsServers": ["1.1.1.1", "9.9.9.9"], "Enabled": True}},
        {"DnsServers": ["1.1.1.1", "9.9.9.9"]},
        id="dns-struct-to-list",
    ),
    pytest.param({"DnsServers": {"Enabled": False}}, {"DnsServers": []}, id="dns-cleared"),
    pytest.param(
        {"SelfServicePortal": "disabled"}, {"SelfServicePortalUrl": None}, id="portal-off"
    ),
    pytest.param(
        {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}},
        {"ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER}},
        id="banner",
    ),
    pytest.param(
        {"ClientRouteEnforcementOptions": {"Enforced": True}},
        {"ClientRouteEnforcementOptions": {"Enforced": True}},
        id="route-enforcement",
    ),
    pytest.param(
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": LAMBDA_ARN}},
        {
            "ClientConnectOptions": {
                "Enabled": True,
                "LambdaFunctionArn": LAMBDA_ARN,
                "Status": {"Code": "applied"},
            }
        },
        id="client-connect",
    ),
    pytest.param(
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/aws/clientvpn",
                "CloudwatchLogStream": "s",
            }
        },
        {
            "ConnectionLogOptions": {
                "Enabled": True,
                "CloudwatchLogGroup": "/aws/clientvpn",
                "CloudwatchLogStream": "s",
            }
        },
        id="logging",
    ),
    pytest.param(
        {"DevicePostureOptions": {"Enabled": True, "TrustProviders": [TRUST_PROVIDER]}},
        {"DevicePostureOptions": {"TrustProviders": [TRUST_PROVIDER]}},
        id="device-posture",
    ),
]


@pytest.mark.parametrize(("modification", "expected"), MODIFICATIONS)
def test_modify_is_described(
    ec2: Any, modification: dict[str, Any], expected: dict[str, Any]
) -> None:
    # Given an endpoint with DNS servers and the defaults
    endpoint_id = create_endpoint(ec2, DnsServers=["10.0.0.2"])

    # When one member is modified
    response = ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, **modification)

    # Then the call returns true and Describe shows the new value in Describe's shape
    assert response["Return"] is True
    described = describe_endpoint(ec2, endpoint_id)
    for member, value in expected.items():
        assert described.get(member) == value, member


def test_modify_leaves_unnamed_members_alone(ec2: Any) -> None:
    # Given an endpoint with a banner and DNS servers
    endpoint_id = create_endpoint(
        ec2,
        DnsServers=["10.0.0.2"],
        ClientLoginBannerOptions={"Enabled": True, "BannerText": BANNER},
    )
    before = describe_endpoint(ec2, endpoint_id)

    # When only the session timeout changes
    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, SessionTimeoutHours=10)

    # Then everything else is as it was
    after = describe_endpoint(ec2, endpoint_id)
    assert after.pop("SessionTimeoutHours") == 10
    before.pop("SessionTimeoutHours")
    assert after == before


def test_modify_vpc_and_groups(ec2: Any, network: Network) -> None:
    # Given an endpoint without a VPC and a group in the network's VPC
    endpoint_id = create_endpoint(ec2)
    group_id = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=network.vpc_id)[
        "GroupId"
    ]

    # When the VPC and group are set by Modify
    ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id, VpcId=network.vpc_id, SecurityGroupIds=[group_id]
    )

    # Then Describe shows them
    described = describe_endpoint(ec2, endpoint_id)
    assert described["VpcId"] == network.vpc_id
    assert described["SecurityGroupIds"] == [group_id]


def test_delete_reports_deleting_and_removes_the_endpoint(ec2: Any) -> None:
    # Given two endpoints
    doomed, kept = create_endpoint(ec2), create_endpoint(ec2)

    # When one is deleted
    response = ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=doomed)

    # Then AWS's status comes back and only the other one is left
    assert response["Status"] == {"Code": "deleting"}
    remaining = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert [endpoint["ClientVpnEndpointId"] for endpoint in remaining] == [kept]


def test_state_is_per_region(emulator: Any) -> None:
    # Given an endpoint in us-east-1
    create_endpoint(emulator.ec2())

    # When another region is described
    elsewhere = emulator.ec2("eu-west-1").describe_client_vpn_endpoints()

    # Then it has none
    assert elsewhere["ClientVpnEndpoints"] == []
