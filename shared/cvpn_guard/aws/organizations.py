"""The organization's active accounts (Organizations ListAccounts), for the org sweep."""

from __future__ import annotations

from typing import Any

from cvpn_guard.aws.errors import aws_call


def active_accounts(organizations: Any) -> list[str]:
    """Every ACTIVE account of the organization, sorted (suspended ones cannot be reached).

    ListAccounts answers only in the management account or a delegated administrator: a
    central stack elsewhere sets SWEEP_ACCOUNTS instead.
    """
    accounts: list[str] = []
    with aws_call("ListAccounts"):
        for page in organizations.get_paginator("list_accounts").paginate():
            accounts += [
                account["Id"]
                for account in page.get("Accounts", [])
                if account.get("Status") == "ACTIVE"
            ]
    return sorted(accounts)
