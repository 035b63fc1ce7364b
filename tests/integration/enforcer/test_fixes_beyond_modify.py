"""Rules whose data or fix is not in ModifyClientVpnEndpoint, through the enforcer on the emulator.

Routes (DescribeClientVpnRoutes / DeleteClientVpnRoute), authorization rules
(RevokeClientVpnIngress), the device posture policy (Get/ModifyClientVpnEndpointAuthorization
Policy) and the client revocation list (ExportClientVpnClientCertificateRevocationList): each
is read only when a rule needs it, fixed after the one Modify, verified and reported.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cvpn_guard.change_events.handling import RemediationFailed
from tests.integration.emulator.test_revocation_lists import make_crl
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

CEDAR = "permit (principal, action, resource) when { context.posture.compliant == true };"
CROWDSTRIKE = {
    "TrustProviderType": "crowdstrike",
    "TenantId": "tenant-1",
    "PublicSigningKeyUrl": "https://keys.example.com/crowdstrike",
}


def associated_endpoint(world: EnforcerWorld, **overrides: Any) -> tuple[str, str]:
    """A compliant endpoint with one target network; returns (endpoint id, subnet id)."""
    vpc_id = world.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = world.ec2.create_subnet(
        VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a"
    )["Subnet"]["SubnetId"]
    endpoint_id = create_endpoint(world.ec2, **{**compliant_overrides(), **overrides})
    world.ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=subnet_id
    )
    return endpoint_id, subnet_id


def route_to_internet(world: EnforcerWorld, endpoint_id: str, subnet_id: str) -> None:
    world.ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id,
        DestinationCidrBlock="0.0.0.0/0",
        TargetVpcSubnetId=subnet_id,
    )


def destinations(world: EnforcerWorld, endpoint_id: str) -> list[str]:
    routes = world.ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]
    return sorted(route["DestinationCidr"] for route in routes)


def grants(world: EnforcerWorld, endpoint_id: str) -> list[tuple[str, bool]]:
    rules = world.ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)
    return sorted((r["DestinationCidr"], r["AccessAll"]) for r in rules["AuthorizationRules"])


def calls_for(world: EnforcerWorld, endpoint_id: str, operation: str) -> int:
    return world.faults.endpoint_call_counts().get(operation, {}).get(endpoint_id, 0)


def only_report(world: EnforcerWorld) -> dict[str, Any]:
    (notice,) = world.notices()
    (endpoint,) = json.loads(notice["Message"])["endpoints"]
    result: dict[str, Any] = endpoint
    return result


# --- routes ----------------------------------------------------------------------------------
@pytest.mark.server_smoke
def test_a_forbidden_route_is_reported_and_left_alone_by_default(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an endpoint routing 0.0.0.0/0 through its subnet, and the routes rule's defaults
    use_policy({"routes": {}})
    endpoint_id, subnet_id = associated_endpoint(world)
    route_to_internet(world, endpoint_id, subnet_id)

    # When a change to it reaches the enforcer
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the route is reported, and stays
    assert result["status"] == "non_compliant"
    assert result["rules"] == ["routes"]
    assert "0.0.0.0/0" in destinations(world, endpoint_id)
    assert calls_for(world, endpoint_id, "DeleteClientVpnRoute") == 0
    (finding,) = only_report(world)["findings"]
    assert finding["actual"][0]["DestinationCidr"] == "0.0.0.0/0"
    assert finding["actual"][0]["Target"] == subnet_id
    assert not finding["remediable"]
    assert finding["disruptive"]


def test_a_forbidden_route_is_deleted_when_the_policy_says_so(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given the same route, two users connected, and remove_forbidden: true
    use_policy({"routes": {"remove_forbidden": True}})
    endpoint_id, subnet_id = associated_endpoint(world)
    route_to_internet(world, endpoint_id, subnet_id)
    world.faults.seed_connections(endpoint_id, 2)

    # When the event arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the route is deleted, no Modify was needed, the association's route stays
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["routes"]
    assert destinations(world, endpoint_id) == ["10.0.0.0/16"]
    assert calls_for(world, endpoint_id, "DeleteClientVpnRoute") == 1
    assert world.modify_calls(endpoint_id) == 0
    # And the notice shows the change and the users the disruptive fix touched
    report = only_report(world)
    assert report["users_affected"] == 2
    (change,) = report["changes"]
    assert change["field"] == "Routes"
    assert change["before"] == [
        {"DestinationCidr": "0.0.0.0/0", "Target": subnet_id, "Status": "active"}
    ]
    assert change["after"] == []


def test_one_modify_then_the_route_deletion_for_two_rules(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an endpoint that breaks a Modify rule and the routes rule
    use_policy({"disconnect-on-session-timeout": {}, "routes": {"remove_forbidden": True}})
    endpoint_id, subnet_id = associated_endpoint(world, DisconnectOnSessionTimeout=False)
    route_to_internet(world, endpoint_id, subnet_id)

    # When the event arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then both are fixed: exactly one Modify, one DeleteClientVpnRoute
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["disconnect-on-session-timeout", "routes"]
    assert world.modify_calls(endpoint_id) == 1
    assert calls_for(world, endpoint_id, "DeleteClientVpnRoute") == 1
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    assert [c["field"] for c in only_report(world)["changes"]] == [
        "DisconnectOnSessionTimeout",
        "Routes",
    ]


def test_a_refused_route_deletion_fails_the_remediation_with_awss_error(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given AWS refuses DeleteClientVpnRoute (an IAM grant missing, say)
    use_policy({"routes": {"remove_forbidden": True}})
    endpoint_id, subnet_id = associated_endpoint(world)
    route_to_internet(world, endpoint_id, subnet_id)
    world.faults.inject_error("DeleteClientVpnRoute", "UnauthorizedOperation", times=None)

    # When the event arrives, Then the invocation fails after notifying, the route stays
    with pytest.raises(RemediationFailed, match="UnauthorizedOperation"):
        world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert "0.0.0.0/0" in destinations(world, endpoint_id)
    report = only_report(world)
    assert report["status"] == "remediation_failed"
    assert report["error"].startswith("UnauthorizedOperation")


# --- authorization ---------------------------------------------------------------------------
def test_access_all_grants_are_revoked_when_the_policy_says_so_and_group_grants_stay(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given an access-all grant to the internet and a group grant to the VPC
    use_policy({"authorization": {"revoke_access_all": True}})
    endpoint_id, _ = associated_endpoint(world)
    world.ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True
    )
    world.ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16", AccessGroupId="eng"
    )

    # When the event arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then only the access-all grant is revoked
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["authorization"]
    assert grants(world, endpoint_id) == [("10.0.0.0/16", False)]
    assert calls_for(world, endpoint_id, "RevokeClientVpnIngress") == 1
    (change,) = only_report(world)["changes"]
    assert change["field"] == "AuthorizationRules"
    assert change["after"] == []


def test_the_bundled_policy_reports_access_all_grants_and_revokes_nothing(
    world: EnforcerWorld,
) -> None:
    # Given the bundled default policy and an access-all grant
    endpoint_id, _ = associated_endpoint(world)
    world.ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True
    )

    # When the event arrives, Then the grant is reported and stays
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert "authorization" in result["rules"]
    assert "authorization" not in result["fixed_rules"]
    assert grants(world, endpoint_id) == [("0.0.0.0/0", True)]
    assert calls_for(world, endpoint_id, "RevokeClientVpnIngress") == 0


# --- device posture --------------------------------------------------------------------------
POSTURE = {"required_trust_providers": [{"trust_provider_type": "crowdstrike"}]}


def shadowed_endpoint(world: EnforcerWorld) -> str:
    endpoint_id = create_endpoint(
        world.ec2,
        **compliant_overrides(),
        DevicePostureOptions={"Enabled": True, "TrustProviders": [CROWDSTRIKE]},
    )
    world.ec2.modify_client_vpn_endpoint_authorization_policy(
        ClientVpnEndpointId=endpoint_id, PolicyDocument=CEDAR, ShadowMode="enabled"
    )
    return endpoint_id


def shadow_mode(world: EnforcerWorld, endpoint_id: str) -> str:
    answer = world.ec2.get_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
    return str(answer["ShadowMode"])


def test_shadow_mode_is_reported_and_kept_by_default(world: EnforcerWorld, use_policy: Any) -> None:
    use_policy({"device-posture": POSTURE})
    endpoint_id = shadowed_endpoint(world)

    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    assert result["status"] == "non_compliant"
    assert result["rules"] == ["device-posture"]
    assert shadow_mode(world, endpoint_id) == "enabled"
    (finding,) = only_report(world)["findings"]
    assert "shadow mode" in finding["message"]


def test_shadow_mode_is_left_when_the_policy_says_so_with_the_same_document(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given a shadowed policy and leave_shadow_mode: true
    use_policy({"device-posture": {**POSTURE, "leave_shadow_mode": True}})
    endpoint_id = shadowed_endpoint(world)

    # When the event arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the policy is enforced, its document unchanged
    assert result["status"] == "remediated"
    assert result["fixed_rules"] == ["device-posture"]
    assert shadow_mode(world, endpoint_id) == "disabled"
    answer = world.ec2.get_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=endpoint_id)
    assert answer["PolicyDocument"] == CEDAR
    assert world.modify_calls(endpoint_id) == 0
    (change,) = only_report(world)["changes"]
    assert change == {
        "field": "AuthorizationPolicy.ShadowMode",
        "before": "enabled",
        "after": "disabled",
    }


def test_shadow_mode_is_kept_on_an_endpoint_without_its_trust_provider(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given a shadowed policy on an endpoint with no trust provider at all
    use_policy({"device-posture": {**POSTURE, "leave_shadow_mode": True}})
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())
    world.ec2.modify_client_vpn_endpoint_authorization_policy(
        ClientVpnEndpointId=endpoint_id, PolicyDocument=CEDAR, ShadowMode="enabled"
    )

    # When the event arrives, Then both problems are reported and nothing is enforced
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert result["status"] == "non_compliant"
    assert shadow_mode(world, endpoint_id) == "enabled"
    calls = "ModifyClientVpnEndpointAuthorizationPolicy"
    assert calls_for(world, endpoint_id, calls) == 1  # ours was the test's own set-up call


# --- certificate revocation ------------------------------------------------------------------
def test_a_certificate_endpoint_without_revocation_list_is_reported_until_one_is_imported(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given a certificate-authenticated endpoint without a revocation list
    use_policy({"certificate-revocation": {}})
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())

    # When the event arrives, Then the missing list is reported (nothing can fix it)
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert result["status"] == "non_compliant"
    assert result["rules"] == ["certificate-revocation"]
    (finding,) = only_report(world)["findings"]
    assert not finding["remediable"]
    assert "revocation list" in finding["message"]

    # When the owner imports their CA's list and the next event arrives
    world.ec2.import_client_vpn_client_certificate_revocation_list(
        ClientVpnEndpointId=endpoint_id, CertificateRevocationList=make_crl(7)
    )
    result = world.invoke(load_event("modify_endpoint_by_iam_user", endpoint_id))

    # Then the endpoint complies, and the list's text is in no notice
    assert result["status"] == "compliant"
    assert world.notices() == []


# --- reads only when needed ------------------------------------------------------------------
EXTRA_READS = (
    "DescribeClientVpnRoutes",
    "GetClientVpnEndpointAuthorizationPolicy",
    "ExportClientVpnClientCertificateRevocationList",
)


def test_no_extra_read_without_a_rule_that_needs_it(world: EnforcerWorld, use_policy: Any) -> None:
    # Given a policy without the routes, device posture and revocation list rules
    use_policy({"session-timeout": {"max_hours": 12}})
    endpoint_id, subnet_id = associated_endpoint(world)
    route_to_internet(world, endpoint_id, subnet_id)

    # When the event arrives, Then none of their reads is made
    world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert {
        operation: calls_for(world, endpoint_id, operation) for operation in EXTRA_READS
    } == dict.fromkeys(EXTRA_READS, 0)


def test_the_revocation_list_is_read_only_for_certificate_endpoints(
    world: EnforcerWorld, use_policy: Any
) -> None:
    # Given the revocation rule and an endpoint that authenticates by SAML only
    use_policy({"certificate-revocation": {}, "routes": {}})
    saml = "arn:aws:iam::123456789012:saml-provider/corp"
    endpoint_id = create_endpoint(
        world.ec2,
        **compliant_overrides(),
        AuthenticationOptions=[
            {
                "Type": "federated-authentication",
                "FederatedAuthentication": {"SAMLProviderArn": saml},
            }
        ],
    )

    # When the event arrives, Then it complies without an Export; the routes were read once
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert result["status"] == "compliant"
    assert calls_for(world, endpoint_id, "ExportClientVpnClientCertificateRevocationList") == 0
    assert calls_for(world, endpoint_id, "DescribeClientVpnRoutes") == 1
