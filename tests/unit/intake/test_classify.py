"""Event intake: which events become work, which are skipped, and why."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cvpn_guard.intake import (
    ChangeKind,
    EndpointChange,
    LoopGuard,
    Skip,
    SkipReason,
    classify_event,
)
from tests.support.events import (
    ENFORCER_FUNCTION_ARN,
    ENFORCER_FUNCTION_NAME,
    ENFORCER_ROLE_ARN,
    GUARD,
    load_event,
)


def test_create_event_yields_the_id_from_the_response() -> None:
    # Given the CloudTrail event of a successful create
    event = load_event("create_endpoint_noncompliant")

    # When it is classified
    outcome = classify_event(event, GUARD)

    # Then the endpoint to enforce comes from responseElements
    assert outcome == (
        EndpointChange(
            endpoint_id="cvpn-endpoint-0d2c4e6f8a0b1c3d5",
            event_id="b3a1f6d2-7c84-4e1b-9a5d-2f0c8e7d6a41",
            event_name="CreateClientVpnEndpoint",
            kind=ChangeKind.CREATED,
            account="123456789012",
            region="eu-west-1",
            event_time="2026-11-27T09:12:40Z",
            actor="arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PlatformAdmin_0a1b2c3d4e5f6a7b/jane.doe@example.com",
        ),
    )


@pytest.mark.parametrize("sample", ["modify_endpoint_by_user", "modify_endpoint_by_iam_user"])
def test_modify_event_yields_the_id_from_the_request(sample: str) -> None:
    outcome = classify_event(load_event(sample), GUARD)
    assert isinstance(outcome, tuple)
    (change,) = outcome
    assert change.endpoint_id == "cvpn-endpoint-0a1b2c3d4e5f60718"
    assert change.event_name == "ModifyClientVpnEndpoint"
    assert change.kind is ChangeKind.MODIFIED


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        ("create_endpoint_failed", SkipReason.FAILED_CALL),
        ("modify_endpoint_dry_run", SkipReason.DRY_RUN),
        ("modify_endpoint_by_enforcer", SkipReason.OWN_CHANGE),
    ],
)
def test_samples_that_need_no_work_are_skipped(sample: str, reason: SkipReason) -> None:
    outcome = classify_event(load_event(sample), GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is reason


def _own_event_with(mutate: Any) -> dict[str, Any]:
    event = load_event("modify_endpoint_by_enforcer")
    mutate(event["detail"])
    return event


@pytest.mark.parametrize(
    ("description", "mutate"),
    [
        (
            "role only",
            lambda d: (
                d.pop("inScopeOf"),
                d["userIdentity"].update(arn="arn:aws:sts::123456789012:assumed-role/x/y"),
            ),
        ),
        ("session only", lambda d: (d.pop("inScopeOf"), d["userIdentity"].pop("sessionContext"))),
        (
            "inScopeOf only",
            lambda d: d.update(
                userIdentity={
                    "type": "AssumedRole",
                    "arn": "arn:aws:sts::123456789012:assumed-role/other/x",
                }
            ),
        ),
    ],
)
def test_loop_guard_needs_only_one_mark(description: str, mutate: Any) -> None:
    # Given our own call recognisable by just one of the three marks
    event = _own_event_with(mutate)

    # When classified, Then it is still our own change
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, Skip), description
    assert outcome.reason is SkipReason.OWN_CHANGE


def test_a_qualified_function_arn_still_counts_as_ours() -> None:
    event = _own_event_with(
        lambda d: (d["userIdentity"].pop("sessionContext"), d["userIdentity"].update(arn="x"))
    )
    event["detail"]["inScopeOf"]["credentialsIssuedTo"] = ENFORCER_FUNCTION_ARN + ":$LATEST"
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.OWN_CHANGE


def test_someone_elses_session_named_like_our_function_is_not_ours() -> None:
    # Given a user session that happens to carry our function's name, in another role
    event = load_event("modify_endpoint_by_user")
    event["detail"]["userIdentity"]["arn"] = (
        f"arn:aws:sts::123456789012:assumed-role/Admin/{ENFORCER_FUNCTION_NAME}"
    )

    # Then it is enforced like any other change
    assert isinstance(classify_event(event, GUARD), tuple)


def test_wrapper_key_is_unwrapped_whatever_its_name() -> None:
    # Given a request wrapped under an unusual key (as the TGW APIs do)
    event = load_event("modify_endpoint_by_user")
    params = event["detail"]["requestParameters"]
    event["detail"]["requestParameters"] = {
        "ModClntVpnEndptReq": params["ModifyClientVpnEndpointRequest"]
    }
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, tuple)
    assert [c.endpoint_id for c in outcome] == ["cvpn-endpoint-0a1b2c3d4e5f60718"]


def test_unwrapped_request_is_read_at_the_top_level() -> None:
    event = load_event("modify_endpoint_by_user")
    event["detail"]["requestParameters"] = copy.deepcopy(
        event["detail"]["requestParameters"]["ModifyClientVpnEndpointRequest"]
    )
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, tuple)


@pytest.mark.parametrize(
    ("mutate", "expected_detail"),
    [
        (
            lambda e: e["detail"].update(responseElements=None),
            "no ClientVpnEndpointId in responseElements",
        ),
        (
            lambda e: e["detail"]["responseElements"]["CreateClientVpnEndpointResponse"].update(
                clientVpnEndpointId="vpn-123"
            ),
            "is not a Client VPN endpoint id",
        ),
        (lambda e: e.pop("detail"), "detail: Field required"),
        (lambda e: e.update(time="yesterday"), "time"),
    ],
)
def test_malformed_events_are_skipped_with_what_was_missing(
    mutate: Any, expected_detail: str
) -> None:
    event = load_event("create_endpoint_noncompliant")
    mutate(event)
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.MALFORMED
    assert expected_detail in outcome.detail


@pytest.mark.parametrize("raw", [None, [], "event", 42])
def test_non_objects_are_malformed(raw: Any) -> None:
    outcome = classify_event(raw, GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.MALFORMED


def test_other_event_names_are_unsupported() -> None:
    event = load_event("modify_endpoint_by_user")
    event["detail"]["eventName"] = "DeleteClientVpnEndpoint"  # nothing left to enforce
    outcome = classify_event(event, GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.UNSUPPORTED_EVENT


def test_a_change_in_another_account_is_skipped_with_the_reason() -> None:
    # Given a deployment in account 123456789012 and a change recorded in another account
    event = load_event("modify_endpoint_by_user")
    event["account"] = event["detail"]["recipientAccountId"] = "210987654321"

    # When it is classified
    outcome = classify_event(event, GUARD, own_account="123456789012")

    # Then it is skipped as another account's (not enforced, never "endpoint gone")
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.OTHER_ACCOUNT
    assert "210987654321" in outcome.detail


def test_a_change_in_the_own_account_is_work() -> None:
    event = load_event("modify_endpoint_by_user")
    assert isinstance(classify_event(event, GUARD, own_account="123456789012"), tuple)


# ---- organization mode -------------------------------------------------------------------

ORG_GUARD = LoopGuard(
    function_name=ENFORCER_FUNCTION_NAME,
    function_arn=ENFORCER_FUNCTION_ARN,
    role_arns=frozenset({ENFORCER_ROLE_ARN}),
    member_role_name="cvpn-guard-member",
)


def test_a_member_accounts_change_is_work_in_organization_mode() -> None:
    # Given a change forwarded from member account 210987654321 to the organization bus
    event = load_event("modify_endpoint_by_user")
    event["account"] = event["detail"]["recipientAccountId"] = "210987654321"

    # When it is classified without an own-account restriction (organization mode)
    outcome = classify_event(event, ORG_GUARD, own_account=None)

    # Then it is enforced in that account
    assert isinstance(outcome, tuple)
    (change,) = outcome
    assert change.account == "210987654321"


def test_a_record_that_names_another_account_than_its_envelope_is_skipped() -> None:
    # Given an event on the organization bus from member 210987654321 (EventBridge sets the
    # envelope) whose CloudTrail record names another member account
    event = load_event("modify_endpoint_by_user")
    event["account"] = "210987654321"
    event["detail"]["recipientAccountId"] = "210987654322"

    # When it is classified in organization mode
    outcome = classify_event(event, ORG_GUARD, own_account=None)

    # Then nothing is enforced in either account, and the reason names both
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.ACCOUNT_MISMATCH
    assert "210987654321" in outcome.detail
    assert "210987654322" in outcome.detail


def test_the_envelopes_account_is_the_account_acted_in() -> None:
    # A record without recipientAccountId (it is optional) is acted on in the envelope's
    event = load_event("modify_endpoint_by_user")
    event["account"] = "210987654321"
    del event["detail"]["recipientAccountId"]
    outcome = classify_event(event, ORG_GUARD, own_account=None)
    assert isinstance(outcome, tuple)
    assert outcome[0].account == "210987654321"


def test_our_fix_through_a_member_role_is_our_own_change() -> None:
    # Given our enforcer's fix in a member account, made as that account's cvpn-guard-member
    event = load_event("modify_endpoint_by_enforcer")
    event["account"] = event["detail"]["recipientAccountId"] = "210987654321"
    identity = event["detail"]["userIdentity"]
    identity["sessionContext"]["sessionIssuer"]["arn"] = (
        "arn:aws:iam::210987654321:role/cvpn-guard-member"
    )
    identity["arn"] = (
        f"arn:aws:sts::210987654321:assumed-role/cvpn-guard-member/{ENFORCER_FUNCTION_NAME}"
    )
    identity.pop("inScopeOf", None)
    event["detail"].pop("inScopeOf", None)

    # Then the loop guard skips it; a guard outside organization mode would not
    outcome = classify_event(event, ORG_GUARD)
    assert isinstance(outcome, Skip)
    assert outcome.reason is SkipReason.OWN_CHANGE
    assert isinstance(classify_event(event, GUARD), tuple)


def test_a_user_role_named_like_ours_but_different_is_not_ours() -> None:
    event = load_event("modify_endpoint_by_user")
    event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = (
        "arn:aws:iam::210987654321:role/cvpn-guard-member-admins"
    )
    assert isinstance(classify_event(event, ORG_GUARD), tuple)
