"""Member accounts on moto: clients acting in another account through an assumed role.

moto keys its state by the account of the credentials: an AssumeRole into account X returns
keys whose calls act on X's backends, so endpoints created with them live in X alone.
"""

from __future__ import annotations

from typing import Any

from cvpn_devkit.demo.replay import recorded_in

from tests.support.sessions import shared_session

MEMBER_ROLE = "cvpn-guard-member"
MEMBER_ACCOUNTS = ("210987654321", "210987654322", "210987654323")


def member_credentials(account: str, region: str = "eu-west-1") -> dict[str, Any]:
    """Credentials of ``account``'s administrators (its OrganizationAccountAccessRole)."""
    credentials: dict[str, Any] = (
        shared_session()
        .client("sts", region_name=region)
        .assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="admin",
        )["Credentials"]
    )
    return credentials


def member_client(account: str, service: str, region: str = "eu-west-1") -> Any:
    """A client in ``account``, as its administrators would use it."""
    credentials = member_credentials(account, region)
    return shared_session().client(
        service,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def forwarded(event: dict[str, Any], account: str, region: str | None = None) -> dict[str, Any]:
    """``event`` as the member rule forwards it from ``account`` (and ``region``) to the
    organization bus."""
    return recorded_in(event, account, region)
