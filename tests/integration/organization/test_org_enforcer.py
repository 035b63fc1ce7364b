"""Organization mode: a change forwarded from a member account is enforced in that account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.sts.models import sts_backends

from cvpn_guard.aws.member_accounts import MAX_CLIENTS
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.runtime import get_runtime, reset_runtime
from tests.support.estate import create_endpoint
from tests.support.events import ENFORCER_FUNCTION_NAME, load_event
from tests.support.organization import MEMBER_ACCOUNTS, MEMBER_ROLE, forwarded, member_client
from tests.support.world import EnforcerWorld

MEMBER = MEMBER_ACCOUNTS[0]
DRIFTED = {"DisconnectOnSessionTimeout": False}


@pytest.fixture
def org_world(world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch) -> EnforcerWorld:
    monkeypatch.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE)
    reset_runtime()
    return world


def _describe(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    return dict(
        ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"][
            0
        ]
    )


@pytest.mark.server_smoke
def test_a_forwarded_member_change_is_enforced_in_the_member_account(
    org_world: EnforcerWorld,
) -> None:
    # Given a drifted endpoint that exists only in a member account
    member_ec2 = member_client(MEMBER, "ec2")
    endpoint_id = create_endpoint(member_ec2, DisconnectOnSessionTimeout=False)
    assert org_world.ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []

    # When the member rule forwards the create event to the organization bus's enforcer
    result = org_world.invoke(
        forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER)
    )

    # Then the endpoint is fixed in the member account
    assert result["status"] == "remediated"
    assert _describe(member_ec2, endpoint_id)["DisconnectOnSessionTimeout"] is True
    # And the notice names the member account
    (notice,) = org_world.notices()
    assert notice["MessageAttributes"]["account"]["Value"] == MEMBER
    assert json.loads(notice["Message"])["endpoints"][0]["account"] == MEMBER


def test_a_forwarded_event_whose_record_names_another_account_is_not_acted_on(
    org_world: EnforcerWorld,
) -> None:
    # Given a drifted endpoint in a member account, and an event on the organization bus that
    # comes from another member (EventBridge's envelope) but names the first in its body
    victim = MEMBER_ACCOUNTS[1]
    member_ec2 = member_client(victim, "ec2")
    endpoint_id = create_endpoint(member_ec2, DisconnectOnSessionTimeout=False)
    event = forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER)
    event["detail"]["recipientAccountId"] = victim

    # When the enforcer receives it
    result = org_world.invoke(event)

    # Then it is skipped with its reason: no member role assumed, nothing changed
    assert (result["status"], result["reason"]) == ("skipped", "account_mismatch")
    assert _describe(member_ec2, endpoint_id)["DisconnectOnSessionTimeout"] is False
    assert org_world.notices() == []


def test_the_member_role_is_assumed_with_the_functions_session_name(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE)
    reset_runtime()
    endpoint_id = create_endpoint(member_client(MEMBER, "ec2"), DisconnectOnSessionTimeout=False)

    in_process_world.invoke(
        forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER)
    )

    # moto records every AssumeRole in the backend of the role's account.
    sessions = {
        (role.role_arn, role.session_name) for role in sts_backends[MEMBER]["aws"].assumed_roles
    }
    assert (f"arn:aws:iam::{MEMBER}:role/{MEMBER_ROLE}", ENFORCER_FUNCTION_NAME) in sessions


def test_outside_organization_mode_a_member_change_is_skipped(world: EnforcerWorld) -> None:
    endpoint_id = create_endpoint(member_client(MEMBER, "ec2"), DisconnectOnSessionTimeout=False)
    result = world.invoke(
        forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER)
    )
    assert result["status"] == "skipped"
    assert result["reason"] == "other_account"


def test_a_member_account_without_the_role_fails_the_event_for_retry(
    org_world: EnforcerWorld,
) -> None:
    # Given a member account where the StackSet has not created the role yet
    endpoint_id = create_endpoint(member_client(MEMBER, "ec2"), DisconnectOnSessionTimeout=False)
    org_world.faults.inject_error("AssumeRole", "AccessDenied", times=None, service="sts")

    # When its change arrives, Then the invocation fails (Lambda retries, then keeps the event)
    with pytest.raises(AwsCallError) as raised:
        org_world.invoke(forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER))
    assert (raised.value.operation, raised.value.code) == ("AssumeRole", "AccessDenied")


def test_events_from_more_member_pairs_than_the_client_cache_holds_are_each_enforced(
    org_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Security Hub on (two member clients per pair: EC2 and Security Hub), a drifted
    # endpoint in each of 9 member account x region pairs (more clients than the cache keeps)
    # and a second one in the first pair
    monkeypatch.setenv("SECURITY_HUB", "true")
    reset_runtime()
    accounts = [str(210987654400 + n) for n in range(3)]
    pairs = [(a, r) for a in accounts for r in ("eu-west-1", "us-east-1", "eu-central-1")]
    assert 2 * len(pairs) > MAX_CLIENTS
    changes = [
        (account, region, create_endpoint(member_client(account, "ec2", region), **DRIFTED))
        for account, region in [*pairs, pairs[0]]
    ]
    assume_roles_before = org_world.faults.call_counts().get("AssumeRole", 0)

    # When each change is forwarded and enforced in turn (the first pair's clients have been
    # pushed out of the cache by the time its second change arrives)
    statuses = [
        org_world.invoke(
            forwarded(
                load_event("create_endpoint_noncompliant", endpoint_id, event_id=f"event-{n}"),
                account,
                region,
            )
        )["status"]
        for n, (account, region, endpoint_id) in enumerate(changes)
    ]

    # Then every endpoint is fixed: "remediated" means the enforcer's verifying describe, with
    # the same client, found the fix on the endpoint, which exists only in its own account
    # and region
    assert statuses == ["remediated"] * len(changes)
    # And each account's role was assumed once, and the cache holds no more than its bound
    assume_roles = org_world.faults.call_counts().get("AssumeRole", 0) - assume_roles_before
    assert assume_roles == len(accounts)
    members = get_runtime().member_accounts
    assert members is not None
    assert members.clients_held == MAX_CLIENTS
