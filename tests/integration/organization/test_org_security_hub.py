"""Security Hub (SECURITY_HUB=true): verdicts land in the member account's Security Hub."""

from __future__ import annotations

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

    # When the owner turns logging on and the change is enforced again
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
