"""Organizations answers as today's AWS gives them: no member botocore's model has retired.

moto 5.2 still answers ``Account.Status``, which botocore's model retires on 2026-09-09 (``State``
replaces it). Code that reads it lists every account against moto and none in a real
organization, so the emulator drops it; these tests read the raw answers (botocore's parser
would hide unknown members) and compare them with the model as it is today.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cvpn_emulator.organizations import RETIRED_ACCOUNT_MEMBERS
from tests.integration.emulator.conftest import Emulator, error_of
from tests.support.service_model import answered_members, operation, retired_members

# Every Organizations answer that carries accounts or the organization, cvpn-guard's reads
# (ListAccounts, DescribeOrganization) among them.
OPERATIONS = ("ListAccounts", "DescribeAccount", "ListAccountsForParent", "DescribeOrganization")
TODAY = datetime.now(UTC).date()


class RawAnswers:
    """The JSON bodies the emulator sent, by operation (captured before botocore parses)."""

    def __init__(self, client: Any) -> None:
        self.bodies: dict[str, dict[str, Any]] = {}
        client.meta.events.register("after-call.organizations", self._keep)

    def _keep(self, http_response: Any, model: Any, **_: Any) -> None:
        self.bodies[model.name] = json.loads(http_response.content or b"{}")


@pytest.fixture
def organization(emulator: Emulator) -> tuple[Any, RawAnswers, str]:
    organizations = emulator.client("organizations")
    answers = RawAnswers(organizations)
    organizations.create_organization(FeatureSet="ALL")
    member = organizations.create_account(Email="m@example.com", AccountName="member")[
        "CreateAccountStatus"
    ]["AccountId"]
    return organizations, answers, member


def _call_every_operation(organizations: Any, member: str) -> None:
    root = organizations.list_roots()["Roots"][0]["Id"]
    organizations.list_accounts()
    organizations.describe_account(AccountId=member)
    organizations.list_accounts_for_parent(ParentId=root)
    organizations.describe_organization()


@pytest.mark.server_smoke
def test_accounts_carry_state_and_not_the_retired_status(
    organization: tuple[Any, RawAnswers, str],
) -> None:
    organizations, answers, member = organization

    # When accounts are listed and described
    _call_every_operation(organizations, member)

    # Then every account says State (ACTIVE) and none carries Status
    accounts = [
        *answers.bodies["ListAccounts"]["Accounts"],
        answers.bodies["DescribeAccount"]["Account"],
        *answers.bodies["ListAccountsForParent"]["Accounts"],
    ]
    assert {account["State"] for account in accounts} == {"ACTIVE"}
    assert not [account for account in accounts if "Status" in account]


def test_no_answer_carries_a_member_the_current_model_retired_or_does_not_know(
    organization: tuple[Any, RawAnswers, str],
) -> None:
    organizations, answers, member = organization
    retired = retired_members("organizations", OPERATIONS, today=TODAY)

    # When every operation answers
    _call_every_operation(organizations, member)

    # Then no member of any answer is retired by today's model, nor unknown to it
    found = [
        (name, path, structure)
        for name in OPERATIONS
        for path, structure, key in answered_members(
            answers.bodies[name], operation("organizations", name).output_shape
        )
        if structure == "?" or key in retired.get(structure, ())
    ]
    assert found == []


def test_the_emulators_list_of_retired_members_is_the_models() -> None:
    # A member the model retires later must be dropped too: this fails until the emulator's
    # list (cvpn_emulator.organizations) names it.
    assert retired_members("organizations", OPERATIONS, today=TODAY) == {
        "Account": RETIRED_ACCOUNT_MEMBERS
    }


def test_a_delegated_administrator_lists_the_organizations_accounts(
    emulator: Emulator, organization: tuple[Any, RawAnswers, str]
) -> None:
    # Given a member registered as a delegated administrator
    organizations, _, member = organization
    organizations.register_delegated_administrator(
        AccountId=member, ServicePrincipal="ssm.amazonaws.com"
    )
    everyone = {account["Id"] for account in organizations.list_accounts()["Accounts"]}

    # When it lists the accounts, Then it sees the whole organization, management account too
    listed = emulator.client_in(member, "organizations", role="OrganizationAccountAccessRole")
    assert {account["Id"] for account in listed.list_accounts()["Accounts"]} == everyone
    assert len(everyone) == 2


def test_another_member_may_not_list_the_accounts(
    emulator: Emulator, organization: tuple[Any, RawAnswers, str]
) -> None:
    _, _, member = organization
    listed = emulator.client_in(member, "organizations", role="OrganizationAccountAccessRole")
    with pytest.raises(ClientError) as refused:
        listed.list_accounts()
    assert error_of(refused)[0] == "AccessDeniedException"
