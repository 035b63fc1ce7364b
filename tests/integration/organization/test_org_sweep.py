"""The organization sweep: fan out per account x region through SQS, one merged report, never
lost (redeliveries, crashes between steps, a failed publish, a deadline)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
from cvpn_devkit.lambda_harness import FakeLambdaContext

from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.worker import REPORT_NAMESPACE
from cvpn_guard.runtime import reset_runtime
from tests.integration.sweeper.report_checks import report_document
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.organization import MEMBER_ROLE, member_client
from tests.support.world import EnforcerWorld

REGIONS = ("eu-west-1", "us-east-1")
HOME = "123456789012"
FINISH_OVERDUE = {"cvpn-guard": "finish-overdue-sweeps"}


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

    def run_sweeper(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self.sweeper_app.lambda_handler(
            event or {}, FakeLambdaContext.for_function("cvpn-guard-sweeper")
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

    def runs(self) -> DynamoSweepRuns:
        return DynamoSweepRuns(
            boto3.client("dynamodb", region_name="eu-west-1"), "cvpn-guard-state"
        )

    def reports(self) -> list[dict[str, Any]]:
        """Every report published since the last call, whole (parts merged)."""
        notices = self.world.notices()
        by_report: dict[str, list[dict[str, Any]]] = {}
        for notice in notices:
            if notice["MessageAttributes"]["kind"]["Value"] == "report":
                report_id = json.loads(notice["Message"])["report_id"]
                by_report.setdefault(report_id, []).append(notice)
        return [json.loads(report_document(parts)) for parts in by_report.values()]


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
    # Given an organization of the home account and three members (Organizations answering
    # as today: State, no Status); endpoints in several accounts and regions, a drifted one
    # in each region of the first member
    first, second, roleless = _organization(3)
    home_endpoint = create_endpoint(world.ec2, **compliant_overrides())
    first_eu = create_endpoint(
        member_client(first, "ec2", "eu-west-1"), DisconnectOnSessionTimeout=False
    )
    first_us = create_endpoint(
        member_client(first, "ec2", "us-east-1"), DisconnectOnSessionTimeout=False
    )
    second_us = create_endpoint(
        member_client(second, "ec2", "us-east-1"),
        logs=member_client(second, "logs", "us-east-1"),
        **compliant_overrides(),
    )

    # When the scheduled sweeper runs in organization mode
    queued = org_sweep.run_sweeper()

    # Then it swept nothing itself and queued one item per account x region (the home
    # account, the management account, is swept with the stack's own rights)
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
    (report,) = org_sweep.reports()
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
    # And every account x region says whether CloudTrail feeds the enforcer there, as a
    # single-account report does (no trail in this emulated organization: false; unknown
    # where the account could not be entered)
    trails = {(t["account"], t["region"]): t["logging"] for t in report["cloudtrail"]}
    assert trails == {
        **{(account, region): False for account in (HOME, first, second) for region in REGIONS},
        **{(roleless, region): None for region in REGIONS},
    }
    assert report["not_swept"] == []
    # And the drifted member endpoints were fixed in their own account, through the member role
    fixed = member_client(first, "ec2", "us-east-1").describe_client_vpn_endpoints(
        ClientVpnEndpointIds=[first_us]
    )["ClientVpnEndpoints"][0]
    assert fixed["DisconnectOnSessionTimeout"] is True


def test_a_redelivered_work_item_is_not_counted_twice(org_sweep: OrgSweep) -> None:
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)  # an explicit list instead of ListAccounts
    queued = org_sweep.run_sweeper()
    assert queued["work_items"] == len(REGIONS)
    first, second = org_sweep.drain()

    # When the first item is delivered twice (SQS is at least once), then the second
    assert org_sweep.work(first) == []
    assert org_sweep.work(first) == []
    assert org_sweep.work(second) == [queued["run_id"]]

    # Then one report, merged once
    (report,) = org_sweep.reports()
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
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    queued = org_sweep.run_sweeper()
    first, second = org_sweep.drain()

    # Given the first item's worker dies after saving its result, before counting it
    real_count_done = DynamoSweepRuns.count_done

    def dies(self: DynamoSweepRuns, run_id: str, target: tuple[str, str], shard: int) -> bool:
        raise TimeoutError("the invocation timed out")

    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "count_done", dies)
    with pytest.raises(TimeoutError):
        org_sweep.work(first)
    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "count_done", real_count_done)

    # When SQS delivers it again, then the second item
    assert org_sweep.work(first) == []
    assert org_sweep.work(second) == [queued["run_id"]]

    # Then the run was merged once, with both regions
    (report,) = org_sweep.reports()
    assert report["source"]["regions"] == list(REGIONS)
    assert report["summary"]["errors"] == 0


def test_the_last_item_whose_worker_died_after_counting_merges_when_it_comes_back(
    org_sweep: OrgSweep,
) -> None:
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    queued = org_sweep.run_sweeper()
    first, second = org_sweep.drain()
    assert org_sweep.work(first) == []

    # Given the last item's worker counts its target, then dies before it claims the merge
    real_claim = DynamoSweepRuns.claim_merge

    def dies(self: DynamoSweepRuns, *args: Any, **kwargs: Any) -> Any:
        raise TimeoutError("the invocation timed out")

    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "claim_merge", dies)
    with pytest.raises(TimeoutError):
        org_sweep.work(second)
    org_sweep.monkeypatch.setattr(DynamoSweepRuns, "claim_merge", real_claim)
    assert org_sweep.reports() == []

    # When SQS delivers it again (its target already counted)
    merged = org_sweep.work(second)

    # Then it merges and publishes the report, once
    assert merged == [queued["run_id"]]
    (report,) = org_sweep.reports()
    assert report["summary"]["errors"] == 0
    assert org_sweep.runs().open_runs() == []


def test_a_failed_publish_is_not_recorded_as_merged_and_the_redelivery_publishes(
    org_sweep: OrgSweep,
) -> None:
    world = org_sweep.world
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    queued = org_sweep.run_sweeper()
    first, second = org_sweep.drain()
    assert org_sweep.work(first) == []

    # Given SNS refuses every attempt of the last worker's publish (AWS_MAX_ATTEMPTS=3)
    world.faults.inject_error("Publish", "InternalError", times=3, service="sns")

    # When the last item is worked, Then the invocation fails (SQS will deliver it again)
    with pytest.raises(AwsCallError) as failed:
        org_sweep.work(second)
    assert failed.value.operation == "Publish"
    # And the run is still open: not merged, no report
    assert org_sweep.runs().open_runs() == [queued["run_id"]]
    assert org_sweep.reports() == []

    # When SQS delivers it again
    assert org_sweep.work(second) == [queued["run_id"]]

    # Then the report is published, with an id derived from the run (a duplicate after a
    # publish that half-succeeded would carry the same id), and the run is closed
    (report,) = org_sweep.reports()
    assert report["report_id"] == str(uuid.uuid5(REPORT_NAMESPACE, queued["run_id"]))
    assert org_sweep.runs().open_runs() == []
    # And a further redelivery publishes nothing more
    assert org_sweep.work(second) == []
    assert org_sweep.reports() == []


def test_a_run_the_workers_never_finish_is_merged_by_the_next_sweep(
    org_sweep: OrgSweep, capsys: pytest.CaptureFixture[str]
) -> None:
    world = org_sweep.world
    # Given a run whose second item never succeeds (its worker fails for good: the item went
    # to the failure queue), with no deadline of its own
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    create_endpoint(world.ec2, DisconnectOnSessionTimeout=False)
    first_run = org_sweep.run_sweeper()
    first, _lost = org_sweep.drain()
    assert org_sweep.work(first) == []

    # When the next scheduled sweep starts
    capsys.readouterr()
    second_run = org_sweep.run_sweeper()

    # Then the first run is merged before the new one is queued: its swept region reported,
    # the other one listed as not swept, with why and what to do
    assert second_run["overdue_runs_merged"] == [first_run["run_id"]]
    (report,) = org_sweep.reports()
    assert report["source"]["event_id"] == first_run["run_id"]
    assert [e["status"] for e in report["endpoints"]] == ["remediated"]
    assert report["not_swept"] == [
        {
            "account": HOME,
            "region": "us-east-1",
            "reason": "deadline_passed",
            "message": report["not_swept"][0]["message"],
            "shortened": False,
        }
    ]
    assert "next sweep covers it again" in report["not_swept"][0]["message"]
    assert report["summary"]["not_swept"] == 1
    # And the metric the unmerged-runs alarm watches was raised; only the new run is open
    assert '"SweepRunOverdue":[1.0]' in capsys.readouterr().out.replace(" ", "")
    assert org_sweep.runs().open_runs() == [second_run["run_id"]]


def test_a_run_past_its_deadline_is_merged_by_the_timer(
    org_sweep: OrgSweep, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a deadline of 30 minutes and a run whose second item has not reported
    org_sweep.configure(SWEEP_ACCOUNTS=HOME, SWEEP_DEADLINE_MINUTES="30")
    queued = org_sweep.run_sweeper()
    first, _late = org_sweep.drain()
    assert org_sweep.work(first) == []
    run = org_sweep.runs().run(queued["run_id"])
    assert run is not None
    assert run.deadline == run.started_at + 1800

    # When the timer fires before the deadline, Then nothing is merged yet
    assert org_sweep.run_sweeper(FINISH_OVERDUE) == {
        "merged_runs": [],
        "open_runs": [queued["run_id"]],
    }

    # When the deadline has passed (the run's record says it started 31 minutes ago)
    boto3.client("dynamodb", region_name="eu-west-1").update_item(
        TableName="cvpn-guard-state",
        Key={"pk": {"S": f"sweep-run#{queued['run_id']}"}},
        UpdateExpression="SET deadline = :past",
        ExpressionAttributeValues={":past": {"N": str(run.started_at - 60)}},
    )
    capsys.readouterr()
    finished = org_sweep.run_sweeper(FINISH_OVERDUE)

    # Then the timer merges it, the late target not swept, and raises the overdue metric
    assert finished["merged_runs"] == [queued["run_id"]]
    (report,) = org_sweep.reports()
    assert [(n["account"], n["region"], n["reason"]) for n in report["not_swept"]] == [
        (HOME, "us-east-1", "deadline_passed")
    ]
    assert '"SweepRunOverdue":[1.0]' in capsys.readouterr().out.replace(" ", "")
    # And the late worker, arriving after the merge, neither merges nor publishes again
    assert org_sweep.work(_late) == []
    assert org_sweep.reports() == []


def test_a_fan_out_that_fails_half_way_abandons_its_run(org_sweep: OrgSweep) -> None:
    world = org_sweep.world
    # Given SQS refuses the work items (every attempt)
    org_sweep.configure(SWEEP_ACCOUNTS=HOME)
    world.faults.inject_error("SendMessageBatch", "InternalError", times=3, service="sqs")

    # When the sweeper runs, Then the invocation fails (Lambda retries it)
    with pytest.raises(AwsCallError):
        org_sweep.run_sweeper()

    # And the half-planned run is no open run: no later sweep merges it into a bogus report
    assert org_sweep.runs().open_runs() == []
    retried = org_sweep.run_sweeper()
    assert retried["overdue_runs_merged"] == []
    assert org_sweep.reports() == []


def test_one_overdue_run_that_cannot_be_merged_keeps_no_other_waiting(
    org_sweep: OrgSweep, capsys: pytest.CaptureFixture[str]
) -> None:
    world = org_sweep.world
    # Given two runs past their deadline, none of whose items reported
    org_sweep.configure(SWEEP_ACCOUNTS=HOME, SWEEP_DEADLINE_MINUTES="30")
    first, second = org_sweep.run_sweeper()["run_id"], org_sweep.run_sweeper()["run_id"]
    org_sweep.drain()
    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    for run_id in (first, second):
        dynamodb.update_item(
            TableName="cvpn-guard-state",
            Key={"pk": {"S": f"sweep-run#{run_id}"}},
            UpdateExpression="SET deadline = :past",
            ExpressionAttributeValues={":past": {"N": "1"}},
        )
    # And SNS refusing every attempt of the first report's publish (AWS_MAX_ATTEMPTS=3); the
    # finisher takes the runs in id order
    refused, merged = sorted((first, second))
    world.faults.inject_error("Publish", "InternalError", times=3, service="sns")
    capsys.readouterr()

    # When the timer fires
    finished = org_sweep.run_sweeper(FINISH_OVERDUE)

    # Then the other run is merged, the refused one stays open, and its failure is counted
    assert finished == {"merged_runs": [merged], "open_runs": []}
    assert org_sweep.runs().open_runs() == [refused]
    assert '"SweepRunFinishFailed":[1.0]' in capsys.readouterr().out.replace(" ", "")
    # And the next tick merges it
    assert org_sweep.run_sweeper(FINISH_OVERDUE)["merged_runs"] == [refused]
    assert len(org_sweep.reports()) == 2
