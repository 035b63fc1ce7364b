"""The organization sweep: fan out per account x region through SQS, one merged report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
from cvpn_devkit.lambda_harness import FakeLambdaContext

from cvpn_guard.runtime import reset_runtime
from tests.integration.sweeper.report_checks import report_document
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.organization import MEMBER_ROLE, member_client
from tests.support.world import EnforcerWorld, load_handler_module

REGIONS = ("eu-west-1", "us-east-1")
HOME = "123456789012"


@pytest.fixture(scope="module")
def sweeper_app() -> ModuleType:
    return load_handler_module("sweeper")


@pytest.fixture(scope="module")
def worker_app() -> ModuleType:
    return load_handler_module("sweep_worker")


def _organization(member_count: int) -> list[str]:
    """An organization managed from the home account, with ``member_count`` members."""
    organizations = boto3.client("organizations", region_name="us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    members = []
    for index in range(member_count):
        status = organizations.create_account(
            Email=f"member{index}@example.com", AccountName=f"member-{index}"
        )["CreateAccountStatus"]
        members.append(str(status["AccountId"]))
    return members


@dataclass
class OrgSweep:
    """The central deployment in organization mode: the sweeper, its queue and the worker."""

    world: EnforcerWorld
    sqs: Any
    queue_url: str
    sweeper_app: ModuleType
    worker_app: ModuleType
    monkeypatch: pytest.MonkeyPatch

    def configure(self, **variables: str) -> None:
        for name, value in variables.items():
            self.monkeypatch.setenv(name, value)
        reset_runtime()

    def run_sweeper(self) -> dict[str, Any]:
        result: dict[str, Any] = self.sweeper_app.lambda_handler(
            {}, FakeLambdaContext.for_function("cvpn-guard-sweeper")
        )
        return result

    def drain(self) -> list[dict[str, Any]]:
        bodies = []
        while messages := self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10
        ).get("Messages", []):
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return bodies

    def work(self, body: dict[str, Any]) -> list[str]:
        """One worker invocation for ``body``; the runs it merged."""
        result: dict[str, Any] = self.worker_app.lambda_handler(
            {"Records": [{"messageId": "m", "body": json.dumps(body)}]},
            FakeLambdaContext.for_function("cvpn-guard-sweep-worker"),
        )
        return list(result["merged_runs"])


@pytest.fixture
def org_sweep(
    in_process_world: EnforcerWorld,
    monkeypatch: pytest.MonkeyPatch,
    sweeper_app: ModuleType,
    worker_app: ModuleType,
) -> OrgSweep:
    sqs = boto3.client("sqs", region_name="eu-west-1")
    queue_url = sqs.create_queue(QueueName="cvpn-guard-sweep")["QueueUrl"]
    sweep = OrgSweep(in_process_world, sqs, queue_url, sweeper_app, worker_app, monkeypatch)
    sweep.configure(
        MEMBER_ROLE_NAME=MEMBER_ROLE,
        SWEEP_QUEUE_URL=queue_url,
        SWEEP_REGIONS=",".join(REGIONS),
        AWS_LAMBDA_FUNCTION_NAME="cvpn-guard-sweeper",
    )
    return sweep


def test_org_sweep_covers_every_account_and_region_and_survives_a_missing_role(
    org_sweep: OrgSweep,
) -> None:
    world = org_sweep.world
    # Given an organization of the home account and three members; endpoints in several
    # accounts and regions (a drifted one in each region of the first member)
    first, second, roleless = _organization(3)
    home_endpoint = create_endpoint(world.ec2, **compliant_overrides())
    first_eu = create_endpoint(
        member_client(first, "ec2", "eu-west-1"), DisconnectOnSessionTimeout=False
    )
    first_us = create_endpoint(
        member_client(first, "ec2", "us-east-1"), DisconnectOnSessionTimeout=False
    )
    second_us = create_endpoint(member_client(second, "ec2", "us-east-1"), **compliant_overrides())

    # When the scheduled sweeper runs in organization mode
    queued = org_sweep.run_sweeper()

    # Then it swept nothing itself and queued one item per account x region
    assert queued["accounts"] == 4
    assert queued["work_items"] == 4 * len(REGIONS)
    bodies = org_sweep.drain()
    assert sorted((b["account"], b["region"]) for b in bodies) == sorted(
        (account, region) for account in (HOME, first, second, roleless) for region in REGIONS
    )
    assert world.notices() == []

    # When the workers take the items (the third member has no cvpn-guard-member role yet)
    merged = []
    for body in bodies:
        if body["account"] == roleless:
            world.faults.inject_error("AssumeRole", "AccessDenied", times=1, service="sts")
        merged += org_sweep.work(body)

    # Then only the last worker merged, and one organization report arrived
    assert merged == [queued["run_id"]]
    report = json.loads(report_document(world.notices()))
    found = {
        (e["account"], e["region"], e["endpoint_id"]): e["status"] for e in report["endpoints"]
    }
    assert found == {
        (HOME, "eu-west-1", home_endpoint): "compliant",
        (first, "eu-west-1", first_eu): "remediated",
        (first, "us-east-1", first_us): "remediated",
        (second, "us-east-1", second_us): "compliant",
    }
    # And the account without the role is reported in each region, not fatal
    errors = {(e["account"], e["region"], e["code"]) for e in report["errors"]}
    assert errors == {(roleless, region, "AccessDenied") for region in REGIONS}
    # And the drifted member endpoints were fixed in their own account, through the member role
    fixed = member_client(first, "ec2", "us-east-1").describe_client_vpn_endpoints(
        ClientVpnEndpointIds=[first_us]
    )["ClientVpnEndpoints"][0]
    assert fixed["DisconnectOnSessionTimeout"] is True


def test_a_redelivered_work_item_is_not_counted_twice(org_sweep: OrgSweep) -> None:
    world = org_sweep.world
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)  # an explicit list instead of ListAccounts
    queued = org_sweep.run_sweeper()
    assert queued["work_items"] == len(REGIONS)
    first, second = org_sweep.drain()

    # When the first item is delivered twice (SQS is at least once), then the second
    assert org_sweep.work(first) == []
    assert org_sweep.work(first) == []
    assert org_sweep.work(second) == [queued["run_id"]]

    # Then one report, merged once
    report = json.loads(report_document(world.notices()))
    assert report["summary"]["errors"] == 0


def _swept_findings(org_sweep: OrgSweep, hub: Any) -> list[dict[str, Any]]:
    """Sweep the organization (every work item), then read ``hub``'s findings."""
    org_sweep.run_sweeper()
    for body in org_sweep.drain():
        org_sweep.work(body)
    findings: list[dict[str, Any]] = hub.get_findings(MaxResults=100)["Findings"]
    return findings


def test_swept_verdicts_reach_each_accounts_security_hub_once(org_sweep: OrgSweep) -> None:
    # Given Security Hub export on, and one drifted endpoint in a member account
    member = "210987654329"
    org_sweep.configure(SWEEP_ACCOUNTS=member, SECURITY_HUB="true")
    create_endpoint(member_client(member, "ec2", "us-east-1"), DisconnectOnSessionTimeout=False)
    hub = member_client(member, "securityhub", "us-east-1")

    # When the organization is swept twice
    first, second = _swept_findings(org_sweep, hub), _swept_findings(org_sweep, hub)

    # Then the member's Security Hub (in the endpoint's region) has one finding per rule,
    # updated rather than duplicated by the second sweep
    assert first
    assert len({f["Id"] for f in second}) == len(second) == len(first)
    assert {f["AwsAccountId"] for f in second} == {member}
    assert {f["Resources"][0]["Region"] for f in second} == {"us-east-1"}


def test_an_org_sweep_archives_the_findings_of_a_deleted_member_endpoint(
    org_sweep: OrgSweep,
) -> None:
    # Given two swept endpoints in a member account
    member = "210987654329"
    org_sweep.configure(SWEEP_ACCOUNTS=member, SECURITY_HUB="true")
    ec2 = member_client(member, "ec2", "us-east-1")
    kept = create_endpoint(ec2, DisconnectOnSessionTimeout=False)
    deleted = create_endpoint(ec2, cidr="10.200.0.0/22", DisconnectOnSessionTimeout=False)
    hub = member_client(member, "securityhub", "us-east-1")
    first = _swept_findings(org_sweep, hub)

    # When one is deleted and the organization swept again
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=deleted)
    second = _swept_findings(org_sweep, hub)

    # Then the deleted endpoint's findings are archived in the member's Security Hub, the
    # other endpoint's stay active
    def states(endpoint_id: str) -> set[str]:
        return {f["RecordState"] for f in second if f"/{endpoint_id}/" in f["Id"]}

    assert {f["Id"] for f in second} == {f["Id"] for f in first}
    assert states(deleted) == {"ARCHIVED"}
    assert states(kept) == {"ACTIVE"}


def test_an_item_whose_worker_died_after_saving_is_counted_when_it_comes_back(
    org_sweep: OrgSweep,
) -> None:
    world = org_sweep.world
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    queued = org_sweep.run_sweeper()
    first, second = org_sweep.drain()

    # Given the first item's worker dies after saving its result, before counting it
    from cvpn_guard.aws.sweep_runs import DynamoSweepRuns

    real_count_down = DynamoSweepRuns.count_down

    def dies(self: DynamoSweepRuns, run_id: str, target: tuple[str, str]) -> bool:
        raise TimeoutError("the invocation timed out")

    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "count_down", dies)
    with pytest.raises(TimeoutError):
        org_sweep.work(first)
    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "count_down", real_count_down)

    # When SQS delivers it again, then the second item
    assert org_sweep.work(first) == []
    assert org_sweep.work(second) == [queued["run_id"]]

    # Then the run was merged once, with both regions
    report = json.loads(report_document(world.notices()))
    assert report["source"]["regions"] == list(REGIONS)
    assert report["summary"]["errors"] == 0
