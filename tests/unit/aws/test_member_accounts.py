"""MemberAccounts: one AssumeRole per account while the credentials are valid."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import JSONFileLoader
from moto import mock_aws

from cvpn_guard.arns import partition_of
from cvpn_guard.aws import service_models
from cvpn_guard.aws.member_accounts import MemberAccounts, MemberCredentials
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.runtime import get_runtime, reset_runtime
from tests.support.organization import MEMBER_ACCOUNTS, MEMBER_ROLE, member_client

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
HOME_ACCOUNT = "123456789012"  # moto's default account: the central functions' own


class FakeSts:
    """Credentials valid for an hour from ``clock`` (NOW by default)."""

    def __init__(
        self, refuse: frozenset[str] = frozenset(), clock: list[datetime] | None = None
    ) -> None:
        self.calls: list[dict[str, Any]] = []
        self.refuse = refuse
        self.clock = clock or [NOW]

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
                "Expiration": self.clock[0] + timedelta(hours=1),
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


# --- Memory flat in the number of member accounts (issue 18) --------------------------------


def _counting_members(
    sts: FakeSts, clock: list[datetime], **bounds: int
) -> tuple[MemberAccounts, list[tuple[str, str, str]]]:
    """Member accounts whose factory records each client it builds."""
    built: list[tuple[str, str, str]] = []

    def factory(credentials: MemberCredentials, service: str, region: str) -> Any:
        built.append((credentials.access_key_id, service, region))
        return object()

    members = MemberAccounts(sts, factory, clock=lambda: clock[0], **bounds)
    return members, built


def test_the_client_cache_never_holds_more_than_its_bound() -> None:
    # Given member accounts that keep at most 4 clients
    members, built = _counting_members(FakeSts(), [NOW], max_clients=4)

    # When clients of ten account x region pairs are asked for, one after the other
    clients = {}
    for n in range(10):
        clients[n] = members.client("ec2", f"region-{n}", f"2109876543{n:02d}")
        # Then the cache never holds more than four
        assert members.clients_held <= 4

    # And the four most recently used are handed out again, the older ones built anew
    assert members.client("ec2", "region-9", "210987654309") is clients[9]
    assert members.client("ec2", "region-6", "210987654306") is clients[6]
    assert len(built) == 10
    assert members.client("ec2", "region-0", "210987654300") is not clients[0]
    assert len(built) == 11


def test_an_evicted_client_is_rebuilt_without_assuming_the_role_again() -> None:
    # Given an account whose client was pushed out of a cache of one by another account's
    sts = FakeSts()
    members, built = _counting_members(sts, [NOW], max_clients=1)
    members.client("ec2", "eu-west-1", "210987654321")
    members.client("ec2", "eu-west-1", "210987654322")

    # When the first account's client is asked for again
    members.client("ec2", "eu-west-1", "210987654321")

    # Then it is built again with the credentials still cached: no third AssumeRole
    assert len(sts.calls) == 2
    assert [key for key, _, _ in built] == ["ASIA1", "ASIA2", "ASIA1"]


def test_the_credentials_cache_is_bounded_least_recently_used_first() -> None:
    # Given member accounts that keep the credentials of at most two accounts
    sts = FakeSts()
    members, _ = _counting_members(sts, [NOW], max_accounts=2)
    for account in ("210987654321", "210987654322", "210987654321", "210987654323"):
        members.credentials(account)
    assert members.accounts_held == 2
    assert len(sts.calls) == 3

    # When the least recently used account (...22) and the most recent one (...23) come back
    members.credentials("210987654322")
    members.credentials("210987654323")

    # Then only the evicted one is assumed again
    assert [call["RoleArn"].split(":")[4] for call in sts.calls] == [
        "210987654321",
        "210987654322",
        "210987654323",
        "210987654322",
    ]


def test_clients_and_credentials_are_dropped_once_their_credentials_are_due_for_renewal() -> None:
    # Given clients of two regions in one account
    clock = [NOW]
    sts = FakeSts(clock=clock)
    members, built = _counting_members(sts, clock)
    old = members.client("ec2", "eu-west-1", "210987654321")
    members.client("securityhub", "us-east-1", "210987654321")
    assert (members.clients_held, members.accounts_held) == (2, 1)

    # When 51 minutes have passed (its credentials are within the renewal margin) and another
    # account's client is asked for
    clock[0] = NOW + timedelta(minutes=51)
    members.client("ec2", "eu-west-1", "210987654322")

    # Then nothing of the first account is held any more
    assert (members.clients_held, members.accounts_held) == (1, 1)
    # And its next client comes with renewed credentials
    assert members.client("ec2", "eu-west-1", "210987654321") is not old
    assert built[-1] == ("ASIA3", "ec2", "eu-west-1")


class SlowSts(FakeSts):
    """STS whose AssumeRole takes a while: threads released together would all be inside it
    at once (and all be counted) unless the caller serialises them."""

    def assume_role(self, **request: Any) -> dict[str, Any]:
        time.sleep(0.2)
        return super().assume_role(**request)


def test_threads_asking_at_once_for_one_accounts_client_share_one_assume_role_and_client() -> None:
    # Given member accounts over a slow STS
    sts = SlowSts()
    members, built = _counting_members(sts, [NOW])
    barrier = threading.Barrier(6)

    def ask() -> Any:
        barrier.wait()
        return members.client("ec2", "eu-west-1", "210987654321")

    # When six threads ask for the same client at the same moment
    with ThreadPoolExecutor(max_workers=6) as pool:
        clients = list(pool.map(lambda _: ask(), range(6)))

    # Then the role was assumed once, one client was built, and every thread has it
    assert len(sts.calls) == 1
    assert len(built) == 1
    assert all(client is clients[0] for client in clients)


def test_member_clients_share_the_functions_session_and_its_cut_down_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given organization mode on moto, a security group named after each member account
    monkeypatch.setenv("MEMBER_ROLE_NAME", MEMBER_ROLE)
    with mock_aws():
        for account in MEMBER_ACCOUNTS:
            member_client(account, "ec2").create_security_group(
                GroupName=f"sg-of-{account}", Description="only in this account"
            )
        reset_runtime()
        model_reads = _model_reads(monkeypatch, "ec2")

        # When the function's runtime hands out EC2 clients in each account and two regions
        clients = {
            (account, region): get_runtime().client_in(
                account, "ec2", region, home_account=HOME_ACCOUNT
            )
            for account in MEMBER_ACCOUNTS
            for region in ("eu-west-1", "us-east-1")
        }
        groups = {
            key: {g["GroupName"] for g in client.describe_security_groups()["SecurityGroups"]}
            for key, client in clients.items()
        }
    reset_runtime()

    # Then EC2's model was read once for all six clients, from the cut-down copy
    assert len(model_reads) == 1
    assert Path(model_reads[0]).is_relative_to(service_models.MODELS)
    assert all(
        set(client.meta.service_model.operation_names) == set(service_models.OPERATIONS["ec2"])
        for client in clients.values()
    )
    # And each client acts in its own account (only the credentials differ)
    for (account, region), names in groups.items():
        expected = {"default", f"sg-of-{account}"} if region == "eu-west-1" else {"default"}
        assert names == expected


def _model_reads(monkeypatch: pytest.MonkeyPatch, service: str) -> list[str]:
    """Every later read of ``service``'s model file from disk, by any botocore loader."""
    reads: list[str] = []
    original = JSONFileLoader.load_file

    def load_file(self: JSONFileLoader, file_path: str) -> Any:
        parts = Path(file_path).parts
        if parts[-1] == "service-2" and parts[-3] == service:
            reads.append(file_path)
        return original(self, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", load_file)
    return reads


def test_organization_mode_does_not_import_boto3() -> None:
    # Given a fresh interpreter, When it imports the member accounts' adapter
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, cvpn_guard.aws.member_accounts; print('boto3' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    # Then boto3 (and its import time at every cold start) stayed out
    assert done.stdout.strip() == "False"
