"""A typical endpoint and the full policy, shared by the benchmarks."""

from __future__ import annotations

from string import Template
from typing import Any

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy import Policy, load_policy

ENDPOINT_ID = "cvpn-endpoint-0123456789abcdef0"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:cvpn-guard-notifications"
BANNER = "Authorized use only. Activity is monitored."
LOG_GROUP = "/aws/clientvpn"

DESCRIBE_ITEM: dict[str, Any] = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "Description": "engineering VPN",
    "Status": {"Code": "available"},
    "CreationTime": "2024-05-01T10:00:00",
    "DnsName": f"*.{ENDPOINT_ID}.prod.clientvpn.eu-west-1.amazonaws.com",
    "ClientCidrBlock": "10.100.0.0/22",
    "DnsServers": ["10.0.0.2"],
    "SplitTunnel": True,
    "VpnProtocol": "openvpn",
    "TransportProtocol": "udp",
    "VpnPort": 443,
    "AssociatedTargetNetworks": [{"NetworkId": "vpc-0123456789abcdef0", "NetworkType": "vpc"}],
    "ServerCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0b3c1c1e",
    "AuthenticationOptions": [
        {
            "Type": "federated-authentication",
            "FederatedAuthentication": {
                "SamlProviderArn": "arn:aws:iam::123456789012:saml-provider/okta"
            },
        }
    ],
    "ConnectionLogOptions": {
        "Enabled": True,
        "CloudwatchLogGroup": "/aws/clientvpn",
        "CloudwatchLogStream": "engineering",
    },
    "Tags": [
        {"Key": "owner", "Value": "network-team"},
        {"Key": "cost-center", "Value": "cc-1234"},
        {"Key": "Name", "Value": "engineering"},
    ],
    "SecurityGroupIds": ["sg-0fedcba9876543210"],
    "VpcId": "vpc-0123456789abcdef0",
    "ClientConnectOptions": {
        "Enabled": True,
        "LambdaFunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-authorizer",
        "Status": {"Code": "applied"},
    },
    "SessionTimeoutHours": 24,
    "ClientLoginBannerOptions": {"Enabled": False},
    "ClientRouteEnforcementOptions": {"Enforced": True},
    "DisconnectOnSessionTimeout": False,
    "EndpointIpAddressType": "ipv4",
    "TrafficIpAddressType": "ipv4",
}
"""Drifted in three ways: session timeout, disconnect-on-timeout, banner."""

AUTHORIZATION_RULES: list[dict[str, Any]] = [
    {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "GroupId": "engineers",
        "AccessAll": False,
        "DestinationCidr": "10.0.0.0/16",
        "Status": {"Code": "active"},
    },
    {
        "ClientVpnEndpointId": ENDPOINT_ID,
        "GroupId": "admins",
        "AccessAll": False,
        "DestinationCidr": "0.0.0.0/0",
        "Status": {"Code": "active"},
    },
]

FULL_POLICY_YAML = Template("""
version: 1
mode: enforce
rules:
  disconnect-on-session-timeout: {required: true}
  session-timeout: {max_hours: 12}
  login-banner: {required: true, text: "$banner"}
  connection-logging: {required: true, log_group: $log_group}
  split-tunnel: {required: true}
  self-service-portal: {allowed: false}
  client-connect-handler:
    required: true
    allowed_functions:
      - arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-authorizer
  client-route-enforcement: {required: true}
  vpn-port: {allowed: [443]}
  transport-protocol: {allowed: [udp]}
  authentication: {allowed_types: [federated-authentication]}
  dns-servers: {allowed: ["10.0.0.2"]}
  authorization: {forbid_access_all: true}
  security-groups: {forbid_default: true}
  required-tags: {keys: [owner, cost-center]}
exemptions:
  - endpoint_id: cvpn-endpoint-0aaaaaaaaaaaaaaaa
    rules: [split-tunnel]
    reason: vendor appliance, ticket SEC-123
    expires: 2027-01-31
""").substitute(banner=BANNER, log_group=LOG_GROUP)


def full_policy() -> Policy:
    """Every rule configured, as in the issue's example."""
    return load_policy(FULL_POLICY_YAML, source="benchmarks/fixtures.py")


def typical_state() -> EndpointState:
    """The typical endpoint with its authorization rules and its VPC's default group."""
    return EndpointState.from_describe(
        DESCRIBE_ITEM, AUTHORIZATION_RULES, default_security_group_ids=["sg-0123456789abcdef0"]
    )
