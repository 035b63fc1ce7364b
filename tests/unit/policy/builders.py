"""Builders shared by the policy-engine tests: endpoints, states and policies from a few keys.

Imported as ``tests.unit.policy.builders`` (pytest puts the repository root on sys.path).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.policy import Policy, load_policy
from cvpn_guard.rules import all_rules, get_rule

ENDPOINT_ID = "cvpn-endpoint-0123456789abcdef0"
VPC_ID = "vpc-0123456789abcdef0"
SUBNET = "subnet-0123456789abcdef0"
DEFAULT_SG = "sg-0000000000000000d"
GOOD_SG = str(get_rule("security-groups").example["replacement_group_ids"][0])
HANDLER = str(get_rule("client-connect-handler").example["allowed_functions"][0])
OTHER_HANDLER = "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-other"
BANNER = str(get_rule("login-banner").example["text"])
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

# The maintenance-window tests' window and instants: Saturday and Sunday 02:00-05:00 in Berlin
# (UTC+1 in December), closed on Friday 2026-12-04 at noon, open the next night at 02:30.
WEEKEND_NIGHTS: dict[str, Any] = {
    "days": ["sat", "sun"],
    "start": "02:00",
    "end": "05:00",
    "timezone": "Europe/Berlin",
}
FRIDAY_NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SATURDAY_0230_BERLIN = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)

# An endpoint that follows every rule of FULL_RULES below.
COMPLIANT_ITEM: dict[str, Any] = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "Description": "engineering",
    "Status": {"Code": "available"},
    "CreationTime": "2024-05-01T10:00:00",
    "ClientCidrBlock": "10.100.0.0/22",
    "DnsServers": ["10.0.0.2"],
    "SplitTunnel": True,
    "VpnProtocol": "openvpn",
    "TransportProtocol": "udp",
    "VpnPort": 443,
    "ServerCertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    "AuthenticationOptions": [
        {
            "Type": "federated-authentication",
            "FederatedAuthentication": {
                "SamlProviderArn": "arn:aws:iam::123456789012:saml-provider/x"
            },
        }
    ],
    "ConnectionLogOptions": {
        "Enabled": True,
        "CloudwatchLogGroup": "/aws/clientvpn",
        "CloudwatchLogStream": "eng",
        "IncludeAuthorizationPolicyContext": True,
    },
    "Tags": [{"Key": "owner", "Value": "net"}, {"Key": "cost-center", "Value": "cc-1"}],
    "SecurityGroupIds": [GOOD_SG],
    "VpcId": VPC_ID,
    "ClientConnectOptions": {
        "Enabled": True,
        "LambdaFunctionArn": HANDLER,
        "Status": {"Code": "applied"},
    },
    "SessionTimeoutHours": 12,
    "ClientLoginBannerOptions": {"Enabled": True, "BannerText": BANNER},
    "ClientRouteEnforcementOptions": {"Enforced": True},
    "DisconnectOnSessionTimeout": True,
    # EndpointIpAddressType, TrafficIpAddressType and TransitGatewayConfiguration are absent,
    # as on every endpoint created before they existed: AWS's defaults (IPv4, a VPC) apply.
    "DevicePostureOptions": {
        "TrustProviders": [
            {
                "TrustProviderType": "crowdstrike",
                "TenantId": "tenant-1",
                "PublicSigningKeyUrl": "https://keys.example.com/crowdstrike",
            }
        ]
    },
}

# What the other reads of that endpoint answer (DescribeClientVpnRoutes, Get...Policy, Export...).
ASSOCIATION_ROUTE: dict[str, Any] = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "DestinationCidr": "10.0.0.0/16",
    "TargetSubnet": SUBNET,
    "Type": "Nat",
    "Origin": "associate",
    "Status": {"Code": "active"},
    "Description": "Default Route",
}
POLICY_DOCUMENT = "permit (principal, action, resource) when { context.posture.compliant };"
AUTHORIZATION_POLICY: dict[str, Any] = {
    "ClientVpnEndpointId": ENDPOINT_ID,
    "PolicyDocument": POLICY_DOCUMENT,
    "Status": "active",
    # No ShadowMode: the API reference documents "disabled" as its default.
}
REVOCATION_LIST: dict[str, Any] = {
    "CertificateRevocationList": "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n",
    "Status": {"Code": "active"},
}

# Every registered rule with its example options (the compliant endpoint above meets them).
FULL_RULES: dict[str, Any] = {rule.id: dict(rule.example) for rule in all_rules()}


def build_policy(rules: Mapping[str, Any], *, mode: str = "enforce", **document: Any) -> Policy:
    """A policy document with these rules (validated exactly as a loaded file would be)."""
    return load_policy(json.dumps({"version": 1, "mode": mode, "rules": dict(rules), **document}))


def build_state(
    overrides: Mapping[str, Any] | None = None,
    *,
    drop: tuple[str, ...] = (),
    authorization_rules: tuple[Mapping[str, Any], ...] = (),
    default_security_group_ids: tuple[str, ...] | None = (DEFAULT_SG,),
    routes: tuple[Mapping[str, Any], ...] | None = (ASSOCIATION_ROUTE,),
    authorization_policy: Mapping[str, Any] | None = AUTHORIZATION_POLICY,
    revocation_list: Mapping[str, Any] | None = REVOCATION_LIST,
) -> EndpointState:
    """The compliant endpoint with some keys replaced (``overrides``) or removed (``drop``);
    the other reads answer as for a compliant endpoint unless told (None: not read)."""
    item = {**COMPLIANT_ITEM, **(overrides or {})}
    for key in drop:
        item.pop(key, None)
    return EndpointState.from_describe(
        item,
        authorization_rules,
        default_security_group_ids,
        routes=routes,
        authorization_policy=authorization_policy,
        revocation_list=revocation_list,
    )


def evaluate_at(state: EndpointState, policy: Policy, now: datetime = NOW) -> Evaluation:
    """evaluate() at the tests' fixed NOW."""
    return evaluate(state, policy, now)
