"""Security Hub (SECURITY_HUB=true): verdicts land in the member account's Security Hub."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.runtime import reset_runtime
from tests.support.estate import create_endpoint
from tests.support.events import load_event
from tests.support.organization import MEMBER_ACCOUNTS, MEMBER_ROLE, forwarded, member_client
from tests.support.world import EnforcerWorld

MEMBER = MEMBER_ACCOUNTS[1]


@pytest.fixture
def hub_world(world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch) -> EnforcerWorld:
    monkeypatch.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE)
    monkeypatch.setenv("SECURITY_HUB", "true")
    reset_runtime()
    return world


def _findings(securityhub: Any) -> dict[str, dict[str, Any]]:
    found = securityhub.get_findings(MaxResults=100)["Findings"]
    by_id = {f["Id"]: f for f in found}
    assert len(by_id) == len(found), "a finding was duplicated"
    return by_id


def _rule(finding: dict[str, Any]) -> str:
    return str(finding["Resources"][0]["Details"]["Other"]["cvpn-guard:rule"])


@pytest.mark.server_smoke
def test_findings_are_imported_resolved_and_never_duplicated(hub_world: EnforcerWorld) -> None:
    # Given a drifted endpoint in a member account
    member_ec2 = member_client(MEMBER, "ec2")
    member_hub = member_client(MEMBER, "securityhub")
    endpoint_id = create_endpoint(member_ec2, DisconnectOnSessionTimeout=False)

    # When its creation is enforced
    result = hub_world.invoke(
        forwarded(load_event("create_endpoint_noncompliant", endpoint_id), MEMBER)
    )
    assert result["status"] == "remediated"

    # Then the member account's Security Hub holds one finding per rule of the policy, on the
    # endpoint: the fixed rules PASSED and RESOLVED, connection logging (report only) FAILED
    first = _findings(member_hub)
    assert first
    by_rule = {_rule(f): f for f in first.values()}
    assert by_rule["disconnect-on-session-timeout"]["Compliance"]["Status"] == "PASSED"
    assert by_rule["disconnect-on-session-timeout"]["Workflow"]["Status"] == "RESOLVED"
    assert by_rule["connection-logging"]["Compliance"]["Status"] == "FAILED"
    assert by_rule["connection-logging"]["Workflow"]["Status"] == "NEW"
    resource = by_rule["connection-logging"]["Resources"][0]
    assert resource["Type"] == "AwsEc2ClientVpnEndpoint"
    assert resource["Details"]["AwsEc2ClientVpnEndpoint"]["ClientVpnEndpointId"] == endpoint_id
    assert resource["Details"]["Other"]["DisconnectOnSessionTimeout"] == "true"  # after the fix
    assert {f["AwsAccountId"] for f in first.values()} == {MEMBER}
    # And nothing went to the central account's Security Hub
    assert _findings(member_client("123456789012", "securityhub")) == {}

    # When the owner turns logging on (into a log group of the member account) and the change
    # is enforced again
    member_client(MEMBER, "logs").create_log_group(logGroupName="/aws/clientvpn")
    member_ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id,
        ConnectionLogOptions={"Enabled": True, "CloudwatchLogGroup": "/aws/clientvpn"},
    )
    hub_world.invoke(
        forwarded(load_event("modify_endpoint_by_user", endpoint_id, event_id="second"), MEMBER)
    )

    # Then the same findings were updated, not added: now every one is PASSED and RESOLVED
    second = _findings(member_hub)
    assert set(second) == set(first)
    assert {f["Compliance"]["Status"] for f in second.values()} == {"PASSED"}
    assert {f["Workflow"]["Status"] for f in second.values()} == {"RESOLVED"}


@pytest.fixture
def use_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., None]:
    """Point the enforcer at a policy (report mode unless told), as from now."""

    def use(rules: dict[str, Any], *, mode: str = "report", **more: Any) -> None:
        path = tmp_path / "policy.json"
        path.write_text(json.dumps({"version": 1, "mode": mode, "rules": rules, **more}))
        monkeypatch.setenv("POLICY_FILE", str(path))
        reset_runtime()

    return use


class MemberEndpoint:
    """An endpoint in the member account, its enforcer events and its findings."""

    def __init__(self, world: EnforcerWorld, **settings: Any) -> None:
        self.world = world
        self.ec2 = member_client(MEMBER, "ec2")
        self.hub = member_client(MEMBER, "securityhub")
        self.endpoint_id = create_endpoint(self.ec2, **settings)
        self.events = 0

    def changed(self) -> dict[str, Any]:
        """The enforcer handles a change of the endpoint (a fresh event each time)."""
        self.events += 1
        name = "create_endpoint_noncompliant" if self.events == 1 else "modify_endpoint_by_user"
        event = load_event(name, self.endpoint_id, event_id=f"event-{self.events}")
        return self.world.invoke(forwarded(event, MEMBER))

    def findings(self) -> dict[str, dict[str, Any]]:
        """The member's findings of this endpoint, by rule."""
        return {_rule(f): f for f in _findings(self.hub).values()}

    def set_workflow(self, rule: str, status: str) -> None:
        """What a human does in the console."""
        finding = self.findings()[rule]
        self.hub.batch_update_findings(
            FindingIdentifiers=[{"Id": finding["Id"], "ProductArn": finding["ProductArn"]}],
            Workflow={"Status": status},
        )


DISCONNECT = "disconnect-on-session-timeout"
LOGGING = "connection-logging"
TWO_RULES = {DISCONNECT: {"required": True}, LOGGING: {"required": True}}


def test_a_finding_that_fails_again_after_its_exemption_ends_is_new(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    # Given a drifted endpoint whose rule an exemption covers: its finding is SUPPRESSED
    endpoint = MemberEndpoint(hub_world, DisconnectOnSessionTimeout=False)
    exemption = {"endpoint_id": endpoint.endpoint_id, "rules": [DISCONNECT], "reason": "pilot"}
    use_policy({DISCONNECT: {"required": True}}, exemptions=[exemption])
    endpoint.changed()
    suppressed = endpoint.findings()[DISCONNECT]
    assert suppressed["Compliance"]["Status"] == "FAILED"
    assert suppressed["Workflow"]["Status"] == "SUPPRESSED"

    # When the exemption is gone and the endpoint is checked again
    use_policy({DISCONNECT: {"required": True}})
    endpoint.changed()

    # Then the finding is open again (NEW), and the new verdict landed (a suppressed finding
    # "is no longer updated", so it was reopened before the import)
    reopened = endpoint.findings()[DISCONNECT]
    assert reopened["Workflow"]["Status"] == "NEW"
    assert reopened["Compliance"]["Status"] == "FAILED"
    assert "exempted" not in reopened["Description"]
    assert reopened["UpdatedAt"] > suppressed["UpdatedAt"]


def test_a_finding_resolved_by_hand_that_still_fails_is_new_but_a_notified_one_is_kept(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    # Given two failing findings, one a human RESOLVED, one NOTIFIED (the owner was told)
    endpoint = MemberEndpoint(hub_world, DisconnectOnSessionTimeout=False)
    use_policy(TWO_RULES)
    endpoint.changed()
    endpoint.set_workflow(DISCONNECT, "RESOLVED")
    endpoint.set_workflow(LOGGING, "NOTIFIED")

    # When the endpoint is checked again and both still fail
    endpoint.changed()

    # Then the resolved one is open again; the notified one stays so
    findings = endpoint.findings()
    assert findings[DISCONNECT]["Workflow"]["Status"] == "NEW"
    assert findings[LOGGING]["Workflow"]["Status"] == "NOTIFIED"


def test_created_at_is_the_first_time_the_finding_was_seen(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    endpoint = MemberEndpoint(hub_world, DisconnectOnSessionTimeout=False)
    use_policy({DISCONNECT: {"required": True}})
    endpoint.changed()
    first = endpoint.findings()[DISCONNECT]
    endpoint.changed()
    again = endpoint.findings()[DISCONNECT]
    assert again["CreatedAt"] == first["CreatedAt"]
    assert again["UpdatedAt"] > first["UpdatedAt"]


def test_the_findings_of_a_rule_removed_from_the_policy_are_archived(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    # Given findings of two rules
    endpoint = MemberEndpoint(hub_world, DisconnectOnSessionTimeout=False)
    use_policy(TWO_RULES)
    endpoint.changed()
    assert {f["RecordState"] for f in endpoint.findings().values()} == {"ACTIVE"}

    # When one rule leaves the policy and the endpoint is checked again
    use_policy({DISCONNECT: {"required": True}})
    endpoint.changed()

    # Then that rule's finding is archived, the other stays active
    findings = endpoint.findings()
    assert findings[LOGGING]["RecordState"] == "ARCHIVED"
    assert findings[DISCONNECT]["RecordState"] == "ACTIVE"


def test_a_rule_that_could_not_be_checked_is_not_available(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    # Given an endpoint without a VPC, and a policy forbidding the VPC's default group
    endpoint = MemberEndpoint(hub_world)
    use_policy({"security-groups": {"forbid_default": True}})

    # When it is checked, Then its finding says the check could not be performed
    endpoint.changed()
    finding = endpoint.findings()["security-groups"]
    assert finding["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert finding["Workflow"]["Status"] == "NEW"


def test_an_endpoint_with_an_empty_description_is_exported(
    hub_world: EnforcerWorld, use_policy: Callable[..., None]
) -> None:
    # Given an endpoint whose Description is "" (Security Hub refuses a blank NonEmptyString)
    endpoint = MemberEndpoint(hub_world, Description="", DisconnectOnSessionTimeout=False)
    use_policy(TWO_RULES)

    # When it is checked, Then every finding was imported, without the blank description
    endpoint.changed()
    findings = endpoint.findings()
    assert set(findings) == set(TWO_RULES)
    details = findings[DISCONNECT]["Resources"][0]["Details"]["AwsEc2ClientVpnEndpoint"]
    assert "Description" not in details
