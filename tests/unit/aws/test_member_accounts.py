"""MemberAccounts: one AssumeRole per account while the credentials are valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cvpn_guard.arns import partition_of
from cvpn_guard.aws.member_accounts import MemberAccounts, MemberCredentials
from cvpn_guard.exceptions import AwsCallError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class FakeSts:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.calls: list[dict[str, Any]] = []
        self.refuse = refuse

    def assume_role(self, **request: Any) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        self.calls.append(request)
        if request["RoleArn"].split(":")[4] in self.refuse:
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "AssumeRole"
            )
        return {
            "Credentials": {
                "AccessKeyId": f"ASIA{len(self.calls)}",
                "SecretAccessKey": "secret",
                "SessionToken": "token",
                "Expiration": NOW + timedelta(hours=1),
            }
        }


def _members(sts: FakeSts, clock: list[datetime]) -> MemberAccounts:
    def factory(credentials: MemberCredentials, service: str, region: str) -> Any:
        return (credentials.access_key_id, service, region)

    return MemberAccounts(sts, factory, session_name="cvpn-guard-enforcer", clock=lambda: clock[0])


def test_the_role_of_the_account_is_assumed_once_while_valid() -> None:
    # Given member accounts over a fake STS
    sts, clock = FakeSts(), [NOW]
    members = _members(sts, clock)

    # When clients of two regions of one account, and of another account, are asked for
    first = members.client("ec2", "eu-west-1", "210987654321")
    members.client("ec2", "us-east-1", "210987654321")
    members.client("ec2", "eu-west-1", "210987654322")

    # Then each account's member role was assumed once, by its fixed name and our session name
    assert [call["RoleArn"] for call in sts.calls] == [
        "arn:aws:iam::210987654321:role/cvpn-guard-member",
        "arn:aws:iam::210987654322:role/cvpn-guard-member",
    ]
    assert {call["RoleSessionName"] for call in sts.calls} == {"cvpn-guard-enforcer"}
    assert first == ("ASIA1", "ec2", "eu-west-1")
    assert members.client("ec2", "eu-west-1", "210987654321") is first


def test_credentials_are_renewed_before_they_expire() -> None:
    sts, clock = FakeSts(), [NOW]
    members = _members(sts, clock)
    members.client("ec2", "eu-west-1", "210987654321")

    # When 55 minutes have passed (less than the renewal margin is left)
    clock[0] = NOW + timedelta(minutes=55)
    renewed = members.client("ec2", "eu-west-1", "210987654321")

    # Then the role is assumed again and the client uses the new credentials
    assert len(sts.calls) == 2
    assert renewed[0] == "ASIA2"


def test_an_account_without_the_role_is_an_aws_call_error() -> None:
    members = _members(FakeSts(refuse=frozenset({"210987654321"})), [NOW])
    with pytest.raises(AwsCallError) as raised:
        members.client("ec2", "eu-west-1", "210987654321")
    assert raised.value.operation == "AssumeRole"
    assert raised.value.code == "AccessDenied"


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        (None, "aws"),
    ],
)
def test_partition_of_region(region: str | None, partition: str) -> None:
    assert partition_of(region) == partition
