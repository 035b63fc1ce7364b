"""``EndpointGuard`` (describe, evaluate, one modify, verify) on an in-memory port.

The integration tests run the same loop through boto3 and the emulator; these pin the loop's
own decisions: what is read and written, in which order, and when nothing may be written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from cvpn_guard.endpoint_guard import NOT_APPROVED, EndpointGuard, EndpointUnavailable
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import Policy
from cvpn_guard.remediation import RemediationPlan
from tests.support.fakes import FakeClientVpn
from tests.unit.policy.builders import COMPLIANT_ITEM, ENDPOINT_ID, build_policy

DRIFTED = {**COMPLIANT_ITEM, "DisconnectOnSessionTimeout": False, "SessionTimeoutHours": 24}
RULES = {"disconnect-on-session-timeout": {}, "session-timeout": {"max_hours": 12}}


class CountingLease:
    """A lease that counts its renewals and can be lost."""

    def __init__(self, lost: bool = False) -> None:
        self.renewals = 0
        self._lost = lost

    def renew(self) -> None:
        self.renewals += 1
        if self._lost:
            raise AwsCallError("UpdateItem", "LeaseLost", "another invocation holds the endpoint")


def _guard(
    api: FakeClientVpn,
    policy: Policy | None = None,
    *,
    slept: list[float] | None = None,
    approve: Any = None,
) -> EndpointGuard:
    return EndpointGuard(
        api,
        policy or build_policy(RULES),
        account="123456789012",
        region="eu-west-1",
        clock=lambda: datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        settle=(0.5, 1.0),
        sleep=(slept if slept is not None else []).append,
        approve=approve,
    )


def test_a_drifted_endpoint_gets_one_modify_with_the_plan_after_one_renewal_then_a_verify() -> None:
    # Given a drifted endpoint and the caller's lease
    api, lease = FakeClientVpn(DRIFTED), CountingLease()

    # When it is enforced
    result = _guard(api).enforce(ENDPOINT_ID, lease=lease)

    # Then: describe, one Modify (lease renewed right before it), describe again to verify
    assert not isinstance(result, EndpointUnavailable)
    assert result.status is EndpointStatus.REMEDIATED
    operations = [name for name, _ in api.calls]
    assert operations[0] == "DescribeClientVpnEndpoints"
    assert operations.count("ModifyClientVpnEndpoint") == 1
    assert operations[-1] == "DescribeClientVpnEndpoints"
    assert lease.renewals == 1
    assert api.items[ENDPOINT_ID]["DisconnectOnSessionTimeout"] is True


def test_a_disruptive_fix_counts_the_users_it_disconnects() -> None:
    # Given a drifted endpoint with three users connected (both fixes are disruptive)
    api = FakeClientVpn(DRIFTED)
    api.connections = 3

    # When it is enforced
    result = _guard(api).enforce(ENDPOINT_ID, lease=CountingLease())

    # Then the report says how many users the fix touched
    assert not isinstance(result, EndpointUnavailable)
    assert result.report.users_affected == 3
    assert api.made("DescribeClientVpnConnections") == 1


def test_report_mode_reads_and_writes_nothing_else() -> None:
    api, lease = FakeClientVpn(DRIFTED), CountingLease()
    result = _guard(api, build_policy(RULES, mode="report")).enforce(ENDPOINT_ID, lease=lease)
    assert not isinstance(result, EndpointUnavailable)
    assert result.status is EndpointStatus.NON_COMPLIANT
    assert api.calls == [("DescribeClientVpnEndpoints", ENDPOINT_ID)]
    assert lease.renewals == 0


def test_a_lost_lease_stops_the_fix_before_anything_is_written() -> None:
    # Given a lease another invocation has taken over
    api = FakeClientVpn(DRIFTED)

    # When the guard is about to modify, Then the loss propagates and nothing was modified
    with pytest.raises(AwsCallError, match="LeaseLost"):
        _guard(api).enforce(ENDPOINT_ID, lease=CountingLease(lost=True))
    assert api.made("ModifyClientVpnEndpoint") == 0


def test_a_plan_not_approved_leaves_the_endpoint_as_it_is() -> None:
    # Given an approval hook that declines (the CLI's confirmation, answered no)
    seen: list[tuple[str, Mapping[str, Any]]] = []

    def decline(endpoint_id: str, plan: RemediationPlan) -> bool:
        seen.append((endpoint_id, dict(plan.parameters)))
        return False

    api = FakeClientVpn(DRIFTED)
    result = _guard(api, approve=decline).enforce(ENDPOINT_ID, lease=CountingLease())

    # Then it was asked with the plan, nothing was written, and the report says why
    assert seen == [(ENDPOINT_ID, {"DisconnectOnSessionTimeout": True, "SessionTimeoutHours": 12})]
    assert api.made("ModifyClientVpnEndpoint") == 0
    assert not isinstance(result, EndpointUnavailable)
    assert result.report.error == NOT_APPROVED


def test_a_just_created_endpoint_not_shown_yet_is_read_again_before_it_counts_as_gone() -> None:
    # Given an endpoint EC2 does not show yet
    api, slept = FakeClientVpn(), []

    # When it is enforced right after its creation
    result = _guard(api, slept=slept).enforce(ENDPOINT_ID, lease=CountingLease(), just_created=True)

    # Then it was read once, then again after each settle delay, and only then called gone
    assert result == EndpointUnavailable(ENDPOINT_ID, "not_found")
    assert api.made("DescribeClientVpnEndpoints") == 3
    assert slept == [0.5, 1.0]


def test_an_endpoint_missing_for_an_ordinary_change_is_gone_at_once() -> None:
    api, slept = FakeClientVpn(), []
    result = _guard(api, slept=slept).enforce(ENDPOINT_ID, lease=CountingLease())
    assert result == EndpointUnavailable(ENDPOINT_ID, "not_found")
    assert api.made("DescribeClientVpnEndpoints") == 1
    assert slept == []
