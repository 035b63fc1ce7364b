"""Roles as AWS has them: AssumeRole on a missing role is refused once the check is on, and
Organizations CreateAccount gives the new account its OrganizationAccountAccessRole."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import Emulator, error_of

MEMBER = "210987654321"


def _assume(emulator: Emulator, role_arn: str) -> dict[str, str]:
    response = emulator.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="test")
    return dict(response["Credentials"])


@pytest.mark.server_smoke
def test_by_default_any_role_can_be_assumed_as_in_moto(emulator: Emulator) -> None:
    credentials = _assume(emulator, f"arn:aws:iam::{MEMBER}:role/does-not-exist")
    assert credentials["AccessKeyId"]


def test_with_the_check_on_a_missing_role_is_access_denied(emulator: Emulator) -> None:
    # Given the check on and a role that exists in the member account only
    emulator.require_existing_roles()
    trust = {"Version": "2012-10-17", "Statement": []}
    _create_role_in(emulator, MEMBER, "cvpn-guard-member", json.dumps(trust))

    # When a role of that name is assumed in another account, Then AWS's refusal
    with pytest.raises(ClientError) as refused:
        _assume(emulator, "arn:aws:iam::210987654322:role/cvpn-guard-member")
    code, message = error_of(refused)
    assert code == "AccessDenied"
    assert "arn:aws:iam::210987654322:role/cvpn-guard-member" in message
    # And the existing role is assumed as before
    assert _assume(emulator, f"arn:aws:iam::{MEMBER}:role/cvpn-guard-member")["AccessKeyId"]


def test_a_reset_turns_the_check_off(emulator: Emulator) -> None:
    emulator.require_existing_roles()
    emulator.reset()
    assert _assume(emulator, f"arn:aws:iam::{MEMBER}:role/missing")["AccessKeyId"]


def test_a_created_account_can_be_entered_through_its_organization_access_role(
    emulator: Emulator,
) -> None:
    # Given an organization with a new account, and the check on
    organizations = emulator.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    account = organizations.create_account(Email="new@example.com", AccountName="new")[
        "CreateAccountStatus"
    ]["AccountId"]
    emulator.require_existing_roles()

    # When its administrator assumes the role Organizations created, Then it works
    assert _assume(emulator, f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole")
    # And the role trusts the management account
    iam = emulator.client_in(account, "iam", role="OrganizationAccountAccessRole")
    trust = iam.get_role(RoleName="OrganizationAccountAccessRole")["Role"][
        "AssumeRolePolicyDocument"
    ]
    assert "arn:aws:iam::123456789012:root" in json.dumps(trust)


def _create_role_in(emulator: Emulator, account: str, name: str, trust: str) -> None:
    # With the check off for a moment: moto's way into an account without an organization.
    emulator.require_existing_roles(False)
    iam = emulator.client_in(account, "iam", role="OrganizationAccountAccessRole")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    emulator.require_existing_roles(True)
