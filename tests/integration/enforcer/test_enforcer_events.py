"""The enforcer handler against every sample event: final endpoint state and the SNS notice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.change_events.handling import RemediationFailed
from cvpn_guard.exceptions import PolicyError
from tests.integration.sweeper.report_checks import assert_valid_report
from tests.support.estate import BANNER, compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld


def _only_notice(world: EnforcerWorld) -> tuple[dict[str, Any], dict[str, Any]]:
    notices = world.notices()
    assert len(notices) == 1, notices
    envelope = notices[0]
    report = json.loads(envelope["Message"])
    assert_valid_report(report)  # the schema's validator built once, not per notice
    return envelope, report


def _attributes(envelope: dict[str, Any]) -> dict[str, str]:
    return {name: value["Value"] for name, value in envelope["MessageAttributes"].items()}


@pytest.mark.server_smoke
def test_created_noncompliant_endpoint_is_remediated_and_reported(world: EnforcerWorld) -> None:
    # Given an endpoint created with AWS defaults plus DisconnectOnSessionTimeout=false
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)

    # When the CloudTrail event of its creation reaches the enforcer
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then the endpoint now follows the default policy
    assert result["status"] == "remediated"
    described = world.describe(endpoint_id)
    assert described["DisconnectOnSessionTimeout"] is True
    assert described["SessionTimeoutHours"] == 12
    assert described["ClientLoginBannerOptions"] == {"Enabled": True, "BannerText": BANNER}
    # And one notice says what changed, with filterable attributes and a short subject
    envelope, report = _only_notice(world)
    assert envelope["Subject"] == f"[cvpn-guard] REMEDIATED {endpoint_id} 123456789012/eu-west-1"
    attributes = _attributes(envelope)
    assert attributes["status"] == "remediated"
    assert attributes["severity"] == "high"
    assert attributes["account"] == "123456789012"
    assert attributes["region"] == "eu-west-1"
    assert attributes["endpoint_id"] == endpoint_id
    assert "disconnect-on-session-timeout" in attributes["rules"].split(",")
    (endpoint,) = report["endpoints"]
    changes = {c["field"]: (c["before"], c["after"]) for c in endpoint["changes"]}
    assert changes["DisconnectOnSessionTimeout"] == (False, True)
    assert changes["SessionTimeoutHours"] == (24, 12)
    assert report["source"]["event_id"] == "b3a1f6d2-7c84-4e1b-9a5d-2f0c8e7d6a41"
    # And what cannot be fixed automatically stays reported, not "fixed"
    assert "connection-logging" in attributes["rules"]
    assert "connection-logging" not in endpoint["fixed_rules"]


def test_disruptive_fix_counts_the_users_it_touches(world: EnforcerWorld) -> None:
    # Given a drifted endpoint with five users connected
    endpoint_id = create_endpoint(
        world.ec2, **{**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    )
    world.faults.seed_connections(endpoint_id, 5)

    # When a user's modification event arrives
    world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the notice says how many users the disruptive fix touched
    _, report = _only_notice(world)
    assert report["endpoints"][0]["users_affected"] == 5
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True


def test_iam_user_enabling_the_portal_is_reverted(world: EnforcerWorld) -> None:
    # Given a compliant endpoint whose self-service portal an IAM user just turned on
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())
    world.ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id, SelfServicePortal="enabled"
    )

    # When the IAM user's event arrives
    result = world.invoke(load_event("modify_endpoint_by_iam_user", endpoint_id))

    # Then the portal is off again, and nothing else was touched
    assert result["fixed_rules"] == ["self-service-portal"]
    assert "SelfServicePortalUrl" not in world.describe(endpoint_id)
    _, report = _only_notice(world)
    assert [c["field"] for c in report["endpoints"][0]["changes"]] == ["SelfServicePortalUrl"]


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("modify_endpoint_by_enforcer", "own_change"),
        ("create_endpoint_failed", "failed_call"),
        ("modify_endpoint_dry_run", "dry_run"),
    ],
)
def test_events_that_need_no_enforcement_are_skipped(
    world: EnforcerWorld, sample: str, reason: str
) -> None:
    # Given a drifted endpoint
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)

    # When an event arrives that changed nothing, or that we caused ourselves
    result = world.invoke(load_event(sample, endpoint_id))

    # Then it is skipped with its reason: no describe-and-modify, no notice
    assert result == {"status": "skipped", "reason": reason, "detail": result["detail"]}
    assert world.modify_calls(endpoint_id) == 0
    assert world.notices() == []


def test_compliant_endpoint_is_left_alone_silently(world: EnforcerWorld) -> None:
    # Given an endpoint that already follows the policy
    endpoint_id = create_endpoint(world.ec2, **compliant_overrides())

    # When a user modifies it (without breaking anything)
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then nothing is modified and nobody is bothered
    assert result["status"] == "compliant"
    assert world.modify_calls(endpoint_id) == 0
    assert world.notices() == []


def test_report_mode_notifies_without_modifying(
    world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given report mode
    from cvpn_guard.runtime import reset_runtime

    monkeypatch.setenv("ENFORCEMENT_MODE", "report")
    reset_runtime()
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)

    # When a drifted endpoint's event arrives
    world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then it is reported as non-compliant and left as it was
    envelope, report = _only_notice(world)
    assert _attributes(envelope)["status"] == "non_compliant"
    assert report["policy"]["mode"] == "report"
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is False
    assert world.modify_calls(endpoint_id) == 0


def test_endpoint_deleted_before_describe_is_logged_and_dropped(world: EnforcerWorld) -> None:
    # Given an endpoint deleted right after its creation event was emitted
    endpoint_id = create_endpoint(world.ec2)
    world.ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)

    # When the event arrives
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))

    # Then there is nothing to do and nothing to say
    assert result["status"] == "endpoint_gone"
    assert world.notices() == []


def test_endpoint_being_deleted_is_not_modified(world: EnforcerWorld) -> None:
    # Given a drifted endpoint in state "deleting"
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.set_endpoint_status(endpoint_id, "deleting")

    # When its event arrives
    result = world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then it is left alone
    assert result["status"] == "endpoint_deleting"
    assert world.modify_calls(endpoint_id) == 0


def test_invalid_policy_fails_the_invocation_and_changes_nothing(
    world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a policy file with an impossible value
    from cvpn_guard.runtime import reset_runtime

    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nrules:\n  session-timeout: {max_hours: 5}\n")
    monkeypatch.setenv("POLICY_FILE", str(policy))
    reset_runtime()
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)

    # When an event arrives, Then the invocation fails with the key path of the problem
    with pytest.raises(PolicyError, match=r"rules\.session-timeout\.max_hours"):
        world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))
    # And nothing was modified
    assert world.modify_calls(endpoint_id) == 0


def test_rejected_modify_is_reported_once_and_kept_for_the_failure_destination(
    world: EnforcerWorld,
) -> None:
    # Given AWS rejects the fix, naming no parameter of it (one it names is left out and the
    # others sent again: tests/integration/enforcer/test_partial_fixes.py)
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error(
        "ModifyClientVpnEndpoint",
        "InvalidParameterValue",
        times=None,
        message="The request contains characters that are not valid",
    )
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the event arrives, Then the invocation raises so Lambda keeps the event
    with pytest.raises(RemediationFailed, match="InvalidParameterValue"):
        world.invoke(event)
    # And one remediation_failed notice carries AWS's message
    envelope, report = _only_notice(world)
    assert _attributes(envelope)["status"] == "remediation_failed"
    assert "The request contains characters that are not valid" in report["endpoints"][0]["error"]

    # When Lambda retries the same event
    with pytest.raises(RemediationFailed):
        world.invoke(event)
    # Then there was no second modify and no second notice
    assert world.modify_calls(endpoint_id) == 1
    assert world.notices() == []


def test_modify_that_does_not_stick_is_caught_by_verification(world: EnforcerWorld) -> None:
    # Given modifications of this endpoint are silently dropped
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.ignore_changes(endpoint_id=endpoint_id)

    # When the event arrives, Then verification notices and the invocation fails
    with pytest.raises(RemediationFailed, match="ModifyDidNotStick"):
        world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))
    envelope, report = _only_notice(world)
    assert _attributes(envelope)["status"] == "remediation_failed"
    assert "disconnect-on-session-timeout" in report["endpoints"][0]["error"]

    # When our own Modify's CloudTrail event comes back
    result = world.invoke(load_event("modify_endpoint_by_enforcer", endpoint_id))
    # Then the loop guard stops it: still one modify in total
    assert result["reason"] == "own_change"
    assert world.modify_calls(endpoint_id) == 1


def test_notice_lost_to_sns_is_delivered_on_retry_without_a_second_modify(
    world: EnforcerWorld,
) -> None:
    # Given SNS throttles every publish attempt of this invocation (3 attempts)
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    world.faults.inject_error("Publish", "Throttling", times=3, service="sns")
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When the event arrives, Then the fix is applied but the invocation fails on publish
    with pytest.raises(Exception, match="Throttling"):
        world.invoke(event)
    assert world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    assert world.notices() == []

    # When Lambda retries the event
    result = world.invoke(event)
    # Then the saved notice is delivered and the endpoint is not modified again
    assert result["status"] == "notice_redelivered"
    envelope, _ = _only_notice(world)
    assert _attributes(envelope)["status"] == "remediated"
    assert world.modify_calls(endpoint_id) == 1
    # And a late third delivery changes nothing and says nothing
    assert world.invoke(event)["status"] == "duplicate"
    assert world.notices() == []


def test_duplicate_delivery_modifies_once_and_notifies_once(world: EnforcerWorld) -> None:
    # Given the same event delivered twice (EventBridge is at-least-once)
    endpoint_id = create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    event = load_event("create_endpoint_noncompliant", endpoint_id)

    # When both deliveries are handled
    first, second = world.invoke(event), world.invoke(event)

    # Then one modify, one notice
    assert (first["status"], second["status"]) == ("remediated", "duplicate")
    assert world.modify_calls(endpoint_id) == 1
    assert len(world.notices()) == 1
