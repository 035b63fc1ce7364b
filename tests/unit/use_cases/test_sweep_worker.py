"""The sweep worker's use case (``org_sweep.worker``) on in-memory ports (tests/support/fakes.py).

One account in one region per work item: sweep it, save and count it, and the worker that
counts the last target merges and publishes the organization's one report, exactly once,
whatever SQS redelivers.
"""

from __future__ import annotations

import pytest

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.org_sweep.work import RegionSweep, WorkItem, plan
from cvpn_guard.org_sweep.worker import complete_target, sweep_target
from cvpn_guard.ports import ClientVpnPort
from cvpn_guard.report import ComplianceReport
from tests.support.fakes import FakeClientVpn, FakeTrails, InMemorySweepRuns
from tests.unit.policy.builders import COMPLIANT_ITEM, build_policy

ACCOUNTS = ["210000000001", "210000000002"]
REGIONS = ["eu-west-1", "us-east-1"]
POLICY = build_policy({"disconnect-on-session-timeout": {}}, mode="report")


def _run(runs: InMemorySweepRuns) -> list[WorkItem]:
    run_plan = plan("20261204T060000Z-unit", ACCOUNTS, REGIONS, started_at=1_796_400_000)
    runs.start(run_plan)
    return run_plan.items


def _swept(item: WorkItem) -> RegionSweep:
    api = FakeClientVpn(COMPLIANT_ITEM)
    return sweep_target(
        item,
        lambda account, region: api,
        POLICY,
        locks=InMemoryState(),
        trails_for=lambda account, region: FakeTrails(),
    )


def test_the_worker_of_the_last_target_publishes_one_report_of_every_target() -> None:
    # Given a run over 2 accounts x 2 regions
    runs, published = InMemorySweepRuns(), []
    items = _run(runs)

    # When each worker sweeps its target and completes it
    reports = [
        complete_target(item, _swept(item), runs=runs, policy=POLICY, publish=published.append)
        for item in items
    ]

    # Then only the last one merged, and its one report holds every target's endpoint
    assert reports[:-1] == [None, None, None]
    assert isinstance(reports[-1], ComplianceReport)
    assert published == [reports[-1]]
    assert len(reports[-1].endpoints) == len(items)
    assert {(e.account, e.region) for e in reports[-1].endpoints} == {i.target for i in items}


def test_a_redelivered_item_after_the_merge_publishes_nothing_again() -> None:
    # Given a run merged and published
    runs, published = InMemorySweepRuns(), []
    items = _run(runs)
    for item in items:
        complete_target(item, _swept(item), runs=runs, policy=POLICY, publish=published.append)

    # When SQS delivers the last item again
    again = complete_target(
        items[-1], _swept(items[-1]), runs=runs, policy=POLICY, publish=published.append
    )

    # Then it is counted once, and no second report goes out
    assert again is None
    assert len(published) == 1
    assert runs.published_merges == 1


def test_a_failed_publish_leaves_the_run_unmerged_and_its_redelivery_publishes() -> None:
    # Given a run whose last worker's publish fails
    runs, published = InMemorySweepRuns(), []
    items = _run(runs)
    for item in items[:-1]:
        complete_target(item, _swept(item), runs=runs, policy=POLICY, publish=published.append)

    def refuse(report: ComplianceReport) -> None:
        raise AwsCallError("Publish", "Throttling", "Rate exceeded")

    with pytest.raises(AwsCallError):
        complete_target(items[-1], _swept(items[-1]), runs=runs, policy=POLICY, publish=refuse)
    assert runs.published_merges == 0

    # When SQS delivers that item again, Then the same worker merges and publishes once
    report = complete_target(
        items[-1], _swept(items[-1]), runs=runs, policy=POLICY, publish=published.append
    )
    assert report is not None
    assert published == [report]
    assert runs.published_merges == 1


def test_an_account_that_cannot_be_entered_is_an_error_entry_not_a_failed_sweep() -> None:
    # Given a member account without the member role yet
    item = WorkItem("run", "210000000009", "eu-west-1", 0)

    def no_role(account: str, region: str) -> ClientVpnPort:
        raise AwsCallError("AssumeRole", "AccessDenied", "not authorized to assume the role")

    # When its target is swept
    result = sweep_target(
        item, no_role, POLICY, locks=InMemoryState(), trails_for=lambda a, r: FakeTrails()
    )

    # Then the sweep returns one error naming the call, and CloudTrail's state as unknown
    (error,) = result.errors
    assert (error.account, error.code, error.failed_call) == (
        "210000000009",
        "AccessDenied",
        "AssumeRole",
    )
    (trail,) = result.cloudtrail
    assert trail.logging is None
    assert result.endpoints == []
