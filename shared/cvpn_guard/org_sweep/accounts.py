"""Which accounts an organization sweep covers, and which it knows it cannot.

``SWEEP_ACCOUNTS`` is taken as it is: whoever lists an account decided it is reachable.
Otherwise every ACTIVE account Organizations lists is swept, but one: run from a delegated
administrator, that list holds the management account, which a service-managed StackSet never
deploys ``org/member.yaml`` to. Rather than an AccessDenied entry in every region of every
report, it is tried once; if it has no member role, the report says so once, with what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.report import NotSwept

ROLE_MISSING_CODES = frozenset({"AccessDenied", "AccessDeniedException"})


@dataclass(frozen=True)
class SweepScope:
    """The accounts to sweep and the accounts left out (with why)."""

    accounts: tuple[str, ...]
    not_swept: tuple[NotSwept, ...] = field(default=())
    listed_by: str = "SWEEP_ACCOUNTS"


def organization_scope(
    *,
    configured: Sequence[str],
    list_accounts: Callable[[], list[str]],
    management_account: Callable[[], str | None],
    enter: Callable[[str], None],
    home_account: str,
) -> SweepScope:
    """The sweep's accounts: ``configured`` when set, else the organization's ACTIVE accounts.

    Parameters
    ----------
    list_accounts, management_account
        Organizations' answers (ListAccounts, DescribeOrganization); the management account
        is None when it cannot be told.
    enter
        Assumes the member role in an account; raises ``AwsCallError`` when refused.
    home_account
        The central stack's account: swept with its own rights.
    """
    if configured:
        return SweepScope(tuple(dict.fromkeys(configured)))
    accounts = list_accounts()
    management = management_account()
    if management is None or management == home_account or management not in accounts:
        return SweepScope(tuple(accounts), listed_by="ListAccounts")
    try:
        enter(management)
    except AwsCallError as error:
        if error.code not in ROLE_MISSING_CODES:
            # Throttled or unreachable now: its workers will try, and report what they get.
            return SweepScope(tuple(accounts), listed_by="ListAccounts")
        return SweepScope(
            tuple(account for account in accounts if account != management),
            (_unreachable_management_account(management, error),),
            listed_by="ListAccounts",
        )
    return SweepScope(tuple(accounts), listed_by="ListAccounts")


def _unreachable_management_account(account: str, error: AwsCallError) -> NotSwept:
    return NotSwept(
        account=account,
        reason="management_account",
        message=(
            f"the organization's management account has no cvpn-guard-member role "
            f"({error.operation}: {error.code}): a service-managed StackSet never deploys "
            "org/member.yaml to the management account. To sweep it, create a stack from "
            "org/member.yaml in that account (in the StackSet's RoleRegion, with the same "
            "parameters), or run the central stack in the management account; to leave it "
            "out without this entry, list the accounts to sweep in SweepAccounts."
        ),
    )
