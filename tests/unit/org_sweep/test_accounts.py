"""Which accounts an organization sweep covers: listed by State, the management account once."""

from __future__ import annotations

import pytest

from cvpn_guard.aws.organizations import account_state
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.accounts import organization_scope

CENTRAL, MANAGEMENT, MEMBER = "111111111111", "222222222222", "333333333333"


def test_state_decides_and_status_is_read_only_when_state_is_absent() -> None:
    # botocore's model: Account.Status is retired on 2026-09-09, State replaces it
    assert account_state({"Id": MEMBER, "State": "ACTIVE"}) == "ACTIVE"
    assert account_state({"Id": MEMBER, "State": "SUSPENDED", "Status": "ACTIVE"}) == "SUSPENDED"
    assert account_state({"Id": MEMBER, "Status": "ACTIVE"}) == "ACTIVE"
    assert account_state({"Id": MEMBER}) is None


def _scope(*, management: str | None, refusal: str | None, configured: tuple[str, ...] = ()):
    entered: list[str] = []

    def enter(account: str) -> None:
        entered.append(account)
        if refusal:
            raise AwsCallError("AssumeRole", refusal, "not authorized")

    scope = organization_scope(
        configured=configured,
        list_accounts=lambda: [CENTRAL, MANAGEMENT, MEMBER],
        management_account=lambda: management,
        enter=enter,
        home_account=CENTRAL,
    )
    return scope, entered


def test_the_management_account_without_a_member_role_is_left_out_once_with_what_to_do() -> None:
    # Given a central stack in a delegated administrator, and a management account that no
    # service-managed StackSet reached
    scope, entered = _scope(management=MANAGEMENT, refusal="AccessDenied")

    # Then it is tried once, left out of the targets, and said once (not per region)
    assert entered == [MANAGEMENT]
    assert scope.accounts == (CENTRAL, MEMBER)
    (left_out,) = scope.not_swept
    assert (left_out.account, left_out.region, left_out.reason) == (
        MANAGEMENT,
        None,
        "management_account",
    )
    assert "service-managed StackSet never deploys" in left_out.message
    assert "org/member.yaml" in left_out.message
    assert "SweepAccounts" in left_out.message


def test_a_management_account_with_a_member_role_is_swept() -> None:
    scope, _ = _scope(management=MANAGEMENT, refusal=None)
    assert scope.accounts == (CENTRAL, MANAGEMENT, MEMBER)
    assert scope.not_swept == ()


@pytest.mark.parametrize("refusal", ["Throttling", "ConnectionError"])
def test_a_management_account_that_cannot_be_tried_now_is_left_to_its_workers(
    refusal: str,
) -> None:
    scope, _ = _scope(management=MANAGEMENT, refusal=refusal)
    assert scope.accounts == (CENTRAL, MANAGEMENT, MEMBER)
    assert scope.not_swept == ()


def test_the_central_management_account_is_swept_with_the_stacks_own_rights() -> None:
    scope, entered = _scope(management=CENTRAL, refusal="AccessDenied")
    assert entered == []
    assert scope.accounts == (CENTRAL, MANAGEMENT, MEMBER)


def test_configured_accounts_are_taken_as_they_are() -> None:
    scope, entered = _scope(
        management=MANAGEMENT, refusal="AccessDenied", configured=(MANAGEMENT, MEMBER, MEMBER)
    )
    assert entered == []
    assert scope.accounts == (MANAGEMENT, MEMBER)
    assert scope.listed_by == "SWEEP_ACCOUNTS"
