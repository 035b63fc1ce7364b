"""The organization's accounts for the org sweep (Organizations ListAccounts, DescribeOrganization).

Both answer only in the management account or a delegated administrator: a central stack
elsewhere sets SWEEP_ACCOUNTS instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cvpn_guard.aws.errors import aws_call

ACTIVE = "ACTIVE"


def account_state(account: Mapping[str, Any]) -> str | None:
    """An account's lifecycle state as Organizations says it.

    botocore's model: ``State`` (PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE,
    CLOSED) replaces ``Status``, which "will be retired on September 9, 2026"; ``Status`` is
    read only from an answer without ``State`` (an older partition or a proxy).
    """
    state = account.get("State")
    if state is None:
        state = account.get("Status")
    return None if state is None else str(state)


def active_accounts(organizations: Any) -> list[str]:
    """Every ACTIVE account of the organization, sorted (the others cannot be reached)."""
    accounts: list[str] = []
    with aws_call("ListAccounts"):
        for page in organizations.get_paginator("list_accounts").paginate():
            accounts += [
                str(account["Id"])
                for account in page.get("Accounts", [])
                if account_state(account) == ACTIVE
            ]
    return sorted(accounts)


def management_account(organizations: Any) -> str:
    """The organization's management account (DescribeOrganization's ``MasterAccountId``)."""
    with aws_call("DescribeOrganization"):
        organization = organizations.describe_organization()["Organization"]
    return str(organization["MasterAccountId"])
