"""The enforcer's use case, ``handle_change``, on in-memory ports (tests/support/fakes.py).

Each case is one step of the order that makes retries safe (change_events/handling.py): a
duplicate is dropped, a saved notice is redelivered without a second modify, a permanent
failure is not tried again, a remediation's notice is saved before it is published.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cvpn_guard.change_events.handling import RemediationFailed, handle_change
from cvpn_guard.endpoint_guard import EndpointGuard
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.intake import ChangeKind, EndpointChange
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.policy import Policy
from tests.support.fakes import FakeClientVpn, RecordingNotifier
from tests.unit.policy.builders import COMPLIANT_ITEM, ENDPOINT_ID, build_policy

ACCOUNT = "123456789012"
REGION = "eu-west-1"
DRIFTED = {**COMPLIANT_ITEM, "DisconnectOnSessionTimeout": False, "SessionTimeoutHours": 24}
RULES = {"disconnect-on-session-timeout": {}, "session-timeout": {"max_hours": 12}}
CHANGE = EndpointChange(
    endpoint_id=ENDPOINT_ID,
    event_id="00000000-0000-4000-8000-000000000001",
    event_name="ModifyClientVpnEndpoint",
    kind=ChangeKind.MODIFIED,
    account=ACCOUNT,
    region=REGION,
    event_time="2026-06-01T12:00:00Z",
    actor="arn:aws:iam::123456789012:user/jane.doe",
)


def _handle(
    api: FakeClientVpn,
    state: InMemoryState,
    notifier: RecordingNotifier,
    policy: Policy | None = None,
) -> object:
    policy = policy or build_policy(RULES)
    guard = EndpointGuard(
        api,
        policy,
        account=ACCOUNT,
        region=REGION,
        clock=lambda: datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        settle=(),
        sleep=lambda _: None,
    )
    return handle_change(
        CHANGE, guard=guard, policy=policy, notifier=notifier, locks=state, outbox=state
    )


def test_a_drifted_endpoint_is_fixed_with_one_modify_and_notified_once() -> None:
    # Given a drifted endpoint
    api, state, notifier = FakeClientVpn(DRIFTED), InMemoryState(), RecordingNotifier()

    # When its change is handled
    outcome = _handle(api, state, notifier)

    # Then one Modify fixed it, one notice went out keyed by the change, and the change is done
    assert outcome.kind == "enforced"  # type: ignore[attr-defined]
    assert api.made("ModifyClientVpnEndpoint") == 1
    assert api.items[ENDPOINT_ID]["SessionTimeoutHours"] == 12
    assert [key for _, key in notifier.published] == [CHANGE.key]
    assert state.pending(CHANGE.key) == {"done": True}


def test_a_duplicate_delivery_is_dropped_without_reading_the_endpoint() -> None:
    # Given a change already handled
    api, state, notifier = FakeClientVpn(DRIFTED), InMemoryState(), RecordingNotifier()
    state.save(CHANGE.key, {"done": True})

    # When EventBridge delivers it again
    outcome = _handle(api, state, notifier)

    # Then nothing is read, modified or published
    assert outcome.kind == "duplicate"  # type: ignore[attr-defined]
    assert api.calls == []
    assert notifier.published == []


def test_a_notice_whose_publish_failed_is_redelivered_without_a_second_modify() -> None:
    # Given a first attempt that fixed the endpoint, saved its notice and failed to publish it
    api, state = FakeClientVpn(DRIFTED), InMemoryState()
    with pytest.raises(AwsCallError):
        _handle(api, state, RecordingNotifier(failures=1))
    assert api.made("ModifyClientVpnEndpoint") == 1
    assert "notice" in (state.pending(CHANGE.key) or {})

    # When Lambda retries the event
    notifier = RecordingNotifier()
    outcome = _handle(api, state, notifier)

    # Then the saved notice is published, and the endpoint is not modified again
    assert outcome.kind == "notice_redelivered"  # type: ignore[attr-defined]
    assert api.made("ModifyClientVpnEndpoint") == 1
    assert len(notifier.published) == 1
    assert state.pending(CHANGE.key) == {"done": True}


def test_a_permanent_refusal_is_notified_once_and_not_attempted_again() -> None:
    # Given AWS refusing the Modify for good
    api, state, notifier = FakeClientVpn(DRIFTED), InMemoryState(), RecordingNotifier()
    api.refuse_modify = AwsCallError(
        "ModifyClientVpnEndpoint", "InvalidParameterValue", "not allowed"
    )

    # When the change is handled, then retried by Lambda
    with pytest.raises(RemediationFailed) as first:
        _handle(api, state, notifier)
    with pytest.raises(RemediationFailed) as retry:
        _handle(api, state, notifier)

    # Then the failure was notified once; the retry neither read nor modified anything
    assert not first.value.already_reported
    assert retry.value.already_reported
    assert api.made("ModifyClientVpnEndpoint") == 1
    assert api.made("DescribeClientVpnEndpoints") == 1
    assert len(notifier.published) == 1


def test_a_fix_that_does_not_stick_is_notified_once_and_kept_for_the_operator() -> None:
    # Given an endpoint whose Modify is accepted but changes nothing
    api, state, notifier = FakeClientVpn(DRIFTED), InMemoryState(), RecordingNotifier()
    api.ignore_modify = True

    # When the change is handled, then retried by Lambda
    with pytest.raises(RemediationFailed, match="ModifyDidNotStick: the call succeeded"):
        _handle(api, state, notifier)
    with pytest.raises(RemediationFailed) as retry:
        _handle(api, state, notifier)

    # Then it is a permanent failure: notified once, not modified again on the retry
    assert state.pending(CHANGE.key)["failure"]["permanent"] is True  # type: ignore[index]
    assert retry.value.already_reported
    assert api.made("ModifyClientVpnEndpoint") == 1
    assert len(notifier.published) == 1


def test_a_compliant_endpoint_is_neither_modified_nor_notified() -> None:
    api, state, notifier = FakeClientVpn(COMPLIANT_ITEM), InMemoryState(), RecordingNotifier()
    outcome = _handle(api, state, notifier)
    assert outcome.kind == "enforced"  # type: ignore[attr-defined]
    assert api.made("ModifyClientVpnEndpoint") == 0
    assert notifier.published == []
    assert state.pending(CHANGE.key) == {"done": True}


def test_an_endpoint_gone_since_the_event_is_done_without_a_notice() -> None:
    api, state, notifier = FakeClientVpn(), InMemoryState(), RecordingNotifier()
    outcome = _handle(api, state, notifier)
    assert outcome.kind == "endpoint_gone"  # type: ignore[attr-defined]
    assert notifier.published == []
    assert state.pending(CHANGE.key) == {"done": True}


def test_a_report_mode_policy_notifies_the_drift_and_modifies_nothing() -> None:
    api, state, notifier = FakeClientVpn(DRIFTED), InMemoryState(), RecordingNotifier()
    outcome = _handle(api, state, notifier, build_policy(RULES, mode="report"))
    assert outcome.kind == "enforced"  # type: ignore[attr-defined]
    assert api.made("ModifyClientVpnEndpoint") == 0
    assert len(notifier.published) == 1
