"""Which accounts the organization sweep covers, on an emulator that answers as today's AWS:
accounts listed by State, the central stack in a delegated administrator account, the
management account no service-managed StackSet reaches, and an organization with nothing to
sweep."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from cvpn_devkit.lambda_harness import FakeLambdaContext
from moto import mock_aws

import cvpn_emulator
from cvpn_guard.runtime import get_runtime, reset_runtime
from tests.integration.sweeper.report_checks import report_document
from tests.support.estate import create_state_table, received_notices, subscribe_queue
from tests.support.organization import MEMBER_ROLE, member_client, member_credentials

REGION = "eu-west-1"
MANAGEMENT = "123456789012"  # moto's default account creates the organization


@dataclass
class CentralStack:
    """The central deployment in ``account``: its table, queues, topic, and its functions."""

    account: str
    sqs: Any
    sweep_queue: str
    notices_queue: str
    sweeper_app: ModuleType
    worker_app: ModuleType

    def _context(self, name: str) -> FakeLambdaContext:
        return FakeLambdaContext(
            function_name=name,
            invoked_function_arn=f"arn:aws:lambda:{REGION}:{self.account}:function:{name}",
        )

    def sweep(self) -> dict[str, Any]:
        """The scheduled sweeper, then a worker for every item it queued."""
        queued: dict[str, Any] = self.sweeper_app.lambda_handler(
            {}, self._context("cvpn-guard-sweeper")
        )
        while messages := self.sqs.receive_message(
            QueueUrl=self.sweep_queue, MaxNumberOfMessages=10
        ).get("Messages", []):
            for message in messages:
                self.worker_app.lambda_handler(
                    {"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]},
                    self._context("cvpn-guard-sweep-worker"),
                )
                self.sqs.delete_message(
                    QueueUrl=self.sweep_queue, ReceiptHandle=message["ReceiptHandle"]
                )
        return queued

    def report(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(
            report_document(received_notices(self.sqs, self.notices_queue))
        )
        return result


def _deploy_central(
    account: str, monkeypatch: pytest.MonkeyPatch, sweeper_app: ModuleType, worker_app: ModuleType
) -> CentralStack:
    """The central stack's resources in ``account``, and the functions acting as it."""
    sqs, sns = member_client(account, "sqs"), member_client(account, "sns")
    topic, notices = subscribe_queue(sns, sqs)
    sweep_queue = sqs.create_queue(QueueName="cvpn-guard-sweep")["QueueUrl"]
    table = create_state_table(member_client(account, "dynamodb"))
    credentials = member_credentials(account)  # the functions act as a role of that account
    for name, value in {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "NOTIFICATION_TOPIC_ARN": topic,
        "STATE_TABLE_NAME": table,
        "MEMBER_ROLE_NAME": MEMBER_ROLE,
        "SWEEP_QUEUE_URL": sweep_queue,
        "SWEEP_REGIONS": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": "cvpn-guard-sweeper",
        "AWS_MAX_ATTEMPTS": "2",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("POLICY_PARAMETER", "POLICY_FILE", "SWEEP_ACCOUNTS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    reset_runtime()
    return CentralStack(account, sqs, sweep_queue, notices, sweeper_app, worker_app)


def _create_member_role(account: str) -> None:
    trust = {"Version": "2012-10-17", "Statement": []}
    member_client(account, "iam").create_role(
        RoleName=MEMBER_ROLE, AssumeRolePolicyDocument=json.dumps(trust)
    )


@pytest.fixture
def delegated_administrator(
    monkeypatch: pytest.MonkeyPatch, sweeper_app: ModuleType, worker_app: ModuleType
) -> Iterator[tuple[CentralStack, str]]:
    """An organization of three accounts whose central stack runs in a delegated
    administrator (the security tooling account), with AWS's role check on."""
    cvpn_emulator.install()
    with mock_aws():
        organizations = boto3.client("organizations", region_name="us-east-1")
        organizations.create_organization(FeatureSet="ALL")
        tooling, workload = (
            organizations.create_account(Email=f"{name}@example.com", AccountName=name)[
                "CreateAccountStatus"
            ]["AccountId"]
            for name in ("security-tooling", "workload")
        )
        organizations.register_delegated_administrator(
            AccountId=tooling, ServicePrincipal="ssm.amazonaws.com"
        )
        _create_member_role(workload)  # the StackSet reached the workload account
        central = _deploy_central(tooling, monkeypatch, sweeper_app, worker_app)
        cvpn_emulator.require_existing_roles()
        yield central, workload


def test_a_delegated_administrator_reports_the_unreachable_management_account_once(
    delegated_administrator: tuple[CentralStack, str],
) -> None:
    central, workload = delegated_administrator

    # When the organization is swept from the delegated administrator
    queued = central.sweep()

    # Then the management account, which no service-managed StackSet reaches, is no target
    assert queued["accounts"] == 2
    report = central.report()
    # And the report says so once, with what to do, instead of an AccessDenied per region
    assert [(n["account"], n["region"], n["reason"]) for n in report["not_swept"]] == [
        (MANAGEMENT, None, "management_account")
    ]
    assert report["errors"] == []
    assert {t["account"] for t in report["cloudtrail"]} == {central.account, workload}
    assert report["summary"]["not_swept"] == 1


def test_a_management_account_given_the_member_role_by_hand_is_swept(
    delegated_administrator: tuple[CentralStack, str],
) -> None:
    central, workload = delegated_administrator
    # Given the member template deployed in the management account as a plain stack
    cvpn_emulator.require_existing_roles(False)
    _create_member_role(MANAGEMENT)
    cvpn_emulator.require_existing_roles()

    # When the organization is swept, Then the management account is swept like the others
    queued = central.sweep()
    assert queued["accounts"] == 3
    report = central.report()
    assert report["not_swept"] == []
    assert {t["account"] for t in report["cloudtrail"]} == {MANAGEMENT, central.account, workload}


def test_an_organization_sweep_with_no_account_to_sweep_says_so(
    delegated_administrator: tuple[CentralStack, str], capsys: pytest.CaptureFixture[str]
) -> None:
    central, _ = delegated_administrator
    # Given Organizations lists no ACTIVE account (every one is suspended or closing), in the
    # shape botocore's current model gives (State, no Status)
    organizations = get_runtime().client("organizations")
    stub = Stubber(organizations)
    stub.add_response(
        "list_accounts",
        {
            "Accounts": [
                {"Id": "210987654321", "State": "SUSPENDED"},
                {"Id": "210987654322", "State": "PENDING_CLOSURE"},
            ]
        },
    )
    stub.add_response("describe_organization", {"Organization": {"MasterAccountId": MANAGEMENT}})
    capsys.readouterr()

    # When the sweeper runs
    with stub:
        queued = central.sweep()

    # Then nothing is queued, and a report arrives that says why, as an error
    assert queued["work_items"] == 0
    report = central.report()
    assert report["summary"]["endpoints"] == 0
    (error,) = report["errors"]
    assert error["code"] == "NoAccountToSweep"
    assert error["region"] is None
    assert "ListAccounts listed no ACTIVE account" in error["message"]
    # And it is counted
    assert '"NoAccountToSweep":[1.0]' in capsys.readouterr().out.replace(" ", "")
