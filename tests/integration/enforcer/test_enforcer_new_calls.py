"""The enforcer on the calls beyond Create/Modify: each call made on the emulator, then its event.

Every test runs in-process and over HTTP (the ``world`` fixture). The call the sample records
is made first, so that the endpoint is in the state the event describes when it arrives; the
enforcer still reads that state itself (it never trusts the event).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.intake import WATCHED_CALLS
from tests.integration.emulator.test_revocation_lists import make_crl
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import REGION, EnforcerWorld

POLICY_WITH_REQUIRED_TAGS = """\
version: 1
mode: enforce
rules:
  disconnect-on-session-timeout: {required: true}
  required-tags: {keys: [owner]}
  authorization: {forbid_access_all: true}
"""


def _network(world: EnforcerWorld) -> tuple[str, str]:
    vpc = world.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = world.ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a"
    )["Subnet"]["SubnetId"]
    return vpc, subnet


def _associate(world: EnforcerWorld, endpoint_id: str) -> tuple[str, str, str]:
    vpc, subnet = _network(world)
    association = world.ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=subnet
    )["AssociationId"]
    return vpc, subnet, association


def _route(world: EnforcerWorld, endpoint_id: str) -> tuple[str, str]:
    _, subnet, _ = _associate(world, endpoint_id)
    world.ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet
    )
    return endpoint_id, subnet


def _authorize_everyone(world: EnforcerWorld, endpoint_id: str) -> None:
    world.ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True
    )


def _set_policy(world: EnforcerWorld, endpoint_id: str) -> None:
    world.ec2.modify_client_vpn_endpoint_authorization_policy(
        ClientVpnEndpointId=endpoint_id,
        PolicyDocument="permit (principal, action, resource);",
    )


def _apply_groups(world: EnforcerWorld, endpoint_id: str) -> None:
    vpc, _, _ = _associate(world, endpoint_id)
    group = world.ec2.create_security_group(
        GroupName="contractors-vpn", Description="Client VPN", VpcId=vpc
    )["GroupId"]
    world.ec2.apply_security_groups_to_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, VpcId=vpc, SecurityGroupIds=[group]
    )


# The call each sample records, made on the emulator: event name -> what to do.
CALLS: dict[str, Callable[[EnforcerWorld, str], Any]] = {
    "AssociateClientVpnTargetNetwork": _associate,
    "DisassociateClientVpnTargetNetwork": lambda w, e: w.ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=e, AssociationId=_associate(w, e)[2]
    ),
    "ApplySecurityGroupsToClientVpnTargetNetwork": _apply_groups,
    "CreateClientVpnRoute": _route,
    "DeleteClientVpnRoute": lambda w, e: w.ec2.delete_client_vpn_route(
        ClientVpnEndpointId=e, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=_route(w, e)[1]
    ),
    "AuthorizeClientVpnIngress": _authorize_everyone,
    "RevokeClientVpnIngress": lambda w, e: (
        _authorize_everyone(w, e),
        w.ec2.revoke_client_vpn_ingress(
            ClientVpnEndpointId=e, TargetNetworkCidr="0.0.0.0/0", RevokeAllGroups=True
        ),
    ),
    "ImportClientVpnClientCertificateRevocationList": lambda w, e: (
        w.ec2.import_client_vpn_client_certificate_revocation_list(
            ClientVpnEndpointId=e, CertificateRevocationList=make_crl(3)
        )
    ),
    "ModifyClientVpnEndpointAuthorizationPolicy": _set_policy,
    "DeleteClientVpnEndpointAuthorizationPolicy": lambda w, e: (
        _set_policy(w, e),
        w.ec2.delete_client_vpn_endpoint_authorization_policy(ClientVpnEndpointId=e),
    ),
    "CreateTags": lambda w, e: w.ec2.create_tags(
        Resources=[e], Tags=[{"Key": "cost-center", "Value": "4410"}]
    ),
    "DeleteTags": lambda w, e: w.ec2.delete_tags(Resources=[e], Tags=[{"Key": "owner"}]),
}
SAMPLES = {
    "associate_target_network": "AssociateClientVpnTargetNetwork",
    "disassociate_target_network": "DisassociateClientVpnTargetNetwork",
    "apply_security_groups": "ApplySecurityGroupsToClientVpnTargetNetwork",
    "create_route": "CreateClientVpnRoute",
    "delete_route": "DeleteClientVpnRoute",
    "authorize_ingress_for_all_groups": "AuthorizeClientVpnIngress",
    "revoke_ingress": "RevokeClientVpnIngress",
    "import_revocation_list": "ImportClientVpnClientCertificateRevocationList",
    "modify_authorization_policy": "ModifyClientVpnEndpointAuthorizationPolicy",
    "delete_authorization_policy": "DeleteClientVpnEndpointAuthorizationPolicy",
    "create_tags_on_two_endpoints": "CreateTags",
    "delete_tags": "DeleteTags",
}


def _drifted_endpoint(world: EnforcerWorld) -> str:
    """Compliant but for DisconnectOnSessionTimeout, tagged as the samples' endpoints are."""
    return create_endpoint(
        world.ec2,
        **{**compliant_overrides(), "DisconnectOnSessionTimeout": False},
        TagSpecifications=[
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "owner", "Value": "platform"}]}
        ],
    )


def _describes(world: EnforcerWorld, endpoint_id: str) -> int:
    counts = world.faults.endpoint_call_counts().get("DescribeClientVpnEndpoints", {})
    return counts.get(endpoint_id, 0)


def _reports(world: EnforcerWorld) -> list[dict[str, Any]]:
    return [json.loads(notice["Message"]) for notice in world.notices()]


def test_every_new_call_has_a_scenario() -> None:
    assert (
        set(SAMPLES.values())
        == set(CALLS)
        == set(WATCHED_CALLS)
        - {
            "CreateClientVpnEndpoint",
            "ModifyClientVpnEndpoint",
        }
    )


@pytest.mark.server_smoke
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_each_new_call_gets_its_endpoint_described_evaluated_and_fixed(
    world: EnforcerWorld, sample: str
) -> None:
    # Given a drifted endpoint on which someone just made the call the sample records
    endpoint_id = _drifted_endpoint(world)
    CALLS[SAMPLES[sample]](world, endpoint_id)
    before = _describes(world, endpoint_id)

    # When the call's CloudTrail event reaches the enforcer
    result = world.invoke(load_event(sample, endpoint_id))

    # Then the endpoint was described (and described again to verify) and fixed once
    assert result["status"] == "remediated", result
    assert result["endpoint_id"] == endpoint_id
    assert _describes(world, endpoint_id) >= before + 2
    assert world.modify_calls(endpoint_id) == 1
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    # And one notice says which call triggered it and what that call changed
    (report,) = _reports(world)
    call = WATCHED_CALLS[SAMPLES[sample]]
    assert report["source"]["event_name"] == call.name
    assert report["source"]["change"] == call.change
    assert [e["endpoint_id"] for e in report["endpoints"]] == [endpoint_id]


def test_authorizing_every_client_is_reported_and_revoking_it_is_silent(
    world: EnforcerWorld,
) -> None:
    # Given a compliant endpoint that someone opens to every client for 0.0.0.0/0
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())
    _authorize_everyone(world, endpoint_id)

    # When the AuthorizeClientVpnIngress event arrives
    result = world.invoke(load_event("authorize_ingress_for_all_groups", endpoint_id))

    # Then it is reported non-compliant (cvpn-guard never revokes access by itself)
    assert result["status"] == "non_compliant"
    assert result["rules"] == ["authorization"]
    assert world.modify_calls(endpoint_id) == 0
    (report,) = _reports(world)
    assert report["source"]["change"] == "authorization rule added"

    # When the rule is revoked and that event arrives
    world.ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0", RevokeAllGroups=True
    )
    result = world.invoke(load_event("revoke_ingress", endpoint_id))

    # Then the endpoint is compliant again and nobody is bothered
    assert result["status"] == "compliant"
    assert world.notices() == []


def test_deleting_a_required_tag_is_reported_and_adding_it_back_is_silent(
    world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a policy that requires an owner tag, and an endpoint that has one
    from cvpn_guard.runtime import reset_runtime

    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_WITH_REQUIRED_TAGS)
    monkeypatch.setenv("POLICY_FILE", str(policy))
    reset_runtime()
    endpoint_id = create_endpoint(
        world.ec2,
        **compliant_overrides(),
        TagSpecifications=[
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "owner", "Value": "x"}]}
        ],
    )

    # When someone deletes the tag and the DeleteTags event arrives
    world.ec2.delete_tags(Resources=[endpoint_id], Tags=[{"Key": "owner"}])
    result = world.invoke(load_event("delete_tags", endpoint_id))

    # Then required-tags is non-compliant and notified (report only: values are unknown)
    assert result["status"] == "non_compliant"
    assert result["rules"] == ["required-tags"]
    (report,) = _reports(world)
    assert report["source"]["event_name"] == "DeleteTags"
    assert report["source"]["change"] == "tags removed"
    assert world.modify_calls(endpoint_id) == 0

    # When the owner tag is added back and the CreateTags event arrives
    world.ec2.create_tags(Resources=[endpoint_id], Tags=[{"Key": "owner", "Value": "x"}])
    result = world.invoke(load_event("create_tags_on_two_endpoints", endpoint_id))

    # Then the endpoint is compliant again, silently
    assert result["status"] == "compliant"
    assert world.notices() == []


def test_a_tag_call_on_two_endpoints_enforces_each_once(world: EnforcerWorld) -> None:
    # Given two drifted endpoints tagged in one CreateTags call
    first, second = _drifted_endpoint(world), _drifted_endpoint(world)
    world.ec2.create_tags(Resources=[first, second], Tags=[{"Key": "cost-center", "Value": "1"}])
    event = load_event("create_tags_on_two_endpoints", endpoint_ids=(first, second))

    # When the event arrives
    result = world.invoke(event)

    # Then each endpoint was fixed once and has its own notice
    assert result["status"] == "several_endpoints"
    assert [(e["endpoint_id"], e["status"]) for e in result["endpoints"]] == [
        (first, "remediated"),
        (second, "remediated"),
    ]
    assert (world.modify_calls(first), world.modify_calls(second)) == (1, 1)
    reports = _reports(world)
    assert sorted(r["endpoints"][0]["endpoint_id"] for r in reports) == sorted([first, second])
    assert {r["source"]["event_id"] for r in reports} == {event["detail"]["eventID"]}

    # When the whole event is delivered again (EventBridge is at-least-once)
    again = world.invoke(event)

    # Then both endpoints are duplicates: no second modify, no second notice
    assert [e["status"] for e in again["endpoints"]] == ["duplicate", "duplicate"]
    assert (world.modify_calls(first), world.modify_calls(second)) == (1, 1)
    assert world.notices() == []


def test_one_refused_fix_does_not_stop_the_other_endpoints_of_a_tag_call(
    world: EnforcerWorld,
) -> None:
    from cvpn_guard.change_events.handling import RemediationFailed

    # Given two drifted endpoints, and AWS refuses every fix of the first
    first, second = _drifted_endpoint(world), _drifted_endpoint(world)
    world.faults.inject_error(
        "ModifyClientVpnEndpoint", "InvalidParameterValue", times=None, endpoint_id=first
    )
    event = load_event("create_tags_on_two_endpoints", endpoint_ids=(first, second))

    # When the tag event arrives, Then the invocation raises so Lambda keeps the event
    with pytest.raises(RemediationFailed, match=first):
        world.invoke(event)
    # And the second endpoint was fixed anyway; each endpoint has its notice
    assert world.describe(second)["DisconnectOnSessionTimeout"] is True
    statuses = {
        r["endpoints"][0]["endpoint_id"]: r["endpoints"][0]["status"] for r in _reports(world)
    }
    assert statuses == {first: "remediation_failed", second: "remediated"}

    # When Lambda retries the event, Then neither endpoint is modified or notified again
    with pytest.raises(RemediationFailed):
        world.invoke(event)
    assert (world.modify_calls(first), world.modify_calls(second)) == (1, 1)
    assert world.notices() == []


def test_a_tag_call_on_an_instance_and_an_endpoint_checks_only_the_endpoint(
    world: EnforcerWorld,
) -> None:
    # Given one CreateTags call on an instance and a drifted endpoint
    endpoint_id = _drifted_endpoint(world)
    event = load_event("create_tags_on_two_endpoints", endpoint_id)
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = [
        {"resourceId": "i-0123456789abcdef0"},
        {"resourceId": endpoint_id},
    ]

    # When it arrives, Then only the endpoint is enforced
    result = world.invoke(event)
    assert result["status"] == "remediated"
    assert result["endpoint_id"] == endpoint_id


def test_a_tag_call_on_other_resources_only_is_skipped(world: EnforcerWorld) -> None:
    event = load_event("delete_tags")
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = [
        {"resourceId": "i-0123456789abcdef0"}
    ]
    result = world.invoke(event)
    assert result["status"] == "skipped"
    assert result["reason"] == "not_an_endpoint"
    assert world.notices() == []


def test_a_tag_call_on_more_endpoints_than_time_allows_is_finished_by_lambdas_retry(
    world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cvpn_devkit.lambda_harness import FakeLambdaContext

    from cvpn_guard.change_events.enforcing import RESERVE_MS, EventUnfinished

    # Given a tag call on two drifted endpoints, and an invocation already near its timeout
    first, second = _drifted_endpoint(world), _drifted_endpoint(world)
    event = load_event("create_tags_on_two_endpoints", endpoint_ids=(first, second))
    time_left = [RESERVE_MS - 1]
    monkeypatch.setattr(FakeLambdaContext, "get_remaining_time_in_millis", lambda _: time_left[0])

    # When the event arrives, Then the first endpoint is handled and the invocation stops
    # before starting the second (Lambda's timeout would cut it mid-way, lease held)
    with pytest.raises(EventUnfinished, match="handled 1 of the 2 endpoints"):
        world.invoke(event)
    assert (world.modify_calls(first), world.modify_calls(second)) == (1, 0)

    # When Lambda retries the event with time to spare
    time_left[0] = 120_000
    result = world.invoke(event)

    # Then the first is a duplicate and the second is fixed: each modified once
    assert [e["status"] for e in result["endpoints"]] == ["duplicate", "remediated"]
    assert (world.modify_calls(first), world.modify_calls(second)) == (1, 1)
