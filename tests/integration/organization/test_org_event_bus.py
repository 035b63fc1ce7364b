"""A member's change delivered through EventBridge itself (moto, with the emulator's faithful
cross-account delivery): member rule -> central bus -> central rule -> enforcer.

The rules, the bus policy and the member role come from template.yaml and org/member.yaml as
deployed (``cvpn_devkit.demo.organization``); moto cannot invoke a Lambda function, so the
central rule's target is a queue and the test hands the enforcer what arrived there.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from cvpn_devkit.demo import organization
from cvpn_devkit.lambda_harness import repository_root

from cvpn_guard.runtime import reset_runtime
from tests.support.estate import create_endpoint
from tests.support.events import load_event
from tests.support.organization import MEMBER_ROLE, forwarded, member_client
from tests.support.world import EnforcerWorld

REGION = "eu-west-1"


def _client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


@pytest.fixture
def org(in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """An organization with one member; the central bus and the member stack deployed."""
    root = repository_root()
    org = organization.create_organization(
        _client("organizations", "us-east-1"), "security", ("payments",)
    )
    sqs = _client("sqs", REGION)
    queue_url = sqs.create_queue(QueueName="enforcer-target")["QueueUrl"]
    bus = organization.create_organization_bus(
        _client,
        organization.load_template(root / "template.yaml"),
        org,
        enforcer_arn=organization.queue_arn(sqs, queue_url),
    )
    member = org.accounts["payments"]
    organization.deploy_member_stack(
        lambda service, region: member_client(member, service, region),
        organization.load_template(root / "org" / "member.yaml"),
        account=member,
        region=REGION,
        central_bus_arn=bus.arn,
        organization=org,
    )
    monkeypatch.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE)
    reset_runtime()
    return {"member": member, "queue_url": queue_url, "sqs": sqs}


def _put_in_member(member: str, event: dict[str, Any]) -> None:
    organization.put_cloudtrail_event(member_client(member, "events", REGION), event)


def test_a_member_change_crosses_to_the_central_bus_and_is_fixed_in_the_member_account(
    in_process_world: EnforcerWorld, org: dict[str, Any]
) -> None:
    member = org["member"]
    # Given a drifted endpoint created in the member account
    member_ec2 = member_client(member, "ec2", REGION)
    endpoint_id = create_endpoint(member_ec2, DisconnectOnSessionTimeout=False)

    # When CloudTrail puts the call on the member's default bus
    _put_in_member(
        member, forwarded(load_event("create_endpoint_noncompliant", endpoint_id), member)
    )

    # Then the central rule delivers it once, still the member's event
    (delivered,) = organization.take_messages(org["sqs"], org["queue_url"])
    assert delivered["account"] == member
    assert delivered["detail"]["eventName"] == "CreateClientVpnEndpoint"
    # And the enforcer, given what EventBridge delivered, fixes it in the member account
    result = in_process_world.invoke(delivered)
    assert result["status"] == "remediated"
    (described,) = member_ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
        "ClientVpnEndpoints"
    ]
    assert described["DisconnectOnSessionTimeout"] is True


def test_the_member_roles_own_change_and_other_calls_stay_in_the_member_account(
    org: dict[str, Any],
) -> None:
    member = org["member"]
    endpoint_id = "cvpn-endpoint-0123456789abcdef0"
    # Given the enforcer's own Modify, made through the member role
    own = forwarded(load_event("modify_endpoint_by_enforcer", endpoint_id), member)
    issuer = own["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]
    issuer["arn"] = f"arn:aws:iam::{member}:role/{MEMBER_ROLE}"
    # And a call that changes nothing
    describe = forwarded(load_event("modify_endpoint_by_user", endpoint_id), member)
    describe["detail"]["eventName"] = "DescribeClientVpnEndpoints"

    # When both are recorded in the member account
    _put_in_member(member, own)
    _put_in_member(member, describe)

    # Then neither reaches the central bus's rule
    assert organization.take_messages(org["sqs"], org["queue_url"]) == []
