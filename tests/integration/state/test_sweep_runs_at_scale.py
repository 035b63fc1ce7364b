"""An organization sweep at scale through the state table: every target counted once whatever
the redeliveries, the run complete exactly at its last count, no item near DynamoDB's 400 KB
limit, one merge that holds every target.

Shards are what scale: a 20,400-target run (1,200 accounts x 17 regions) is 204 shards of
``SHARD_SIZE`` targets. On moto, the shard size is the knob: 408 targets in shards of two make
the same 204 shards (and the run item that counts them) for a fiftieth of the calls, and a
20,400-target plan with the real shard size fills its largest shard. The 20,400-target run
itself goes through ``InMemorySweepRuns``, which tests/integration/state/test_sweep_runs_contract.py
holds to the same contract as ``DynamoSweepRuns``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
from cvpn_guard.org_sweep import work
from cvpn_guard.org_sweep.work import RegionSweep, RunPlan, SweepRuns, encode_result, plan
from cvpn_guard.org_sweep.worker import finish_run
from cvpn_guard.policy import default_policy
from cvpn_guard.report import ComplianceReport, RegionTrail
from tests.support.fakes import InMemorySweepRuns

TABLE = "cvpn-guard-state"
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
]  # fmt: skip
LARGE_SHARDS = 20_400 // work.SHARD_SIZE  # the shards of a 1,200-account x 17-region run
ITEM_LIMIT = 400 * 1024  # DynamoDB's maximum item size


def _accounts(count: int) -> list[str]:
    return [f"{300000000000 + n}" for n in range(count)]


def _item_size(item: dict[str, Any]) -> int:
    # An upper bound of DynamoDB's size: names plus the values' JSON text.
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


def _stored_size(dynamodb: Any, key: str) -> int:
    return _item_size(dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": key}})["Item"])


def _run_and_merge(runs: SweepRuns, run_plan: RunPlan) -> ComplianceReport:
    """Every worker saves its result and counts its target, one in fifty of the items delivered
    (and counted) a second time; the run must complete exactly at its last count, and the last
    worker's merge publish one report."""
    items = run_plan.items
    completions = []
    for number, item in enumerate(items):
        result = RegionSweep(
            item.region,
            cloudtrail=[RegionTrail(account=item.account, region=item.region, logging=True)],
        )
        runs.save_result(item.run_id, item.target, encode_result(result))
        deliveries = 2 if number % 50 == 0 else 1
        for _ in range(deliveries):
            if runs.count_done(item.run_id, item.target, item.shard):
                completions.append(item.target)
    assert completions == [items[-1].target]

    published: list[ComplianceReport] = []
    report = finish_run(
        run_plan.run_id,
        owner="worker:last",
        runs=runs,
        policy=default_policy(),
        publish=published.append,
        complete=True,
    )
    assert report is not None
    assert published == [report]
    return report


def _holds_every_target(report: ComplianceReport, run_plan: RunPlan) -> None:
    assert len(report.cloudtrail) == len(run_plan.items)
    assert {(t.account, t.region) for t in report.cloudtrail} == {i.target for i in run_plan.items}
    assert report.not_swept == ()


def test_a_run_of_as_many_shards_as_20_000_targets_counts_each_once_and_merges_them_all(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = DynamoSweepRuns(dynamodb, TABLE)
    # Given a run over 24 accounts x 17 regions in shards of two: the 204 shards of a
    # 20,400-target run
    monkeypatch.setattr(work, "SHARD_SIZE", 2)
    run_plan = plan("20261203T060000Z-shards", _accounts(24), REGIONS, started_at=1_796_300_000)
    assert len(run_plan.items) == 408
    assert len(run_plan.shards) == LARGE_SHARDS
    runs.start(run_plan)

    # When every worker saves and counts its target (one in fifty twice) and the last merges
    # Then the run completes exactly at its last count, and the report holds every target
    report = _run_and_merge(runs, run_plan)
    _holds_every_target(report, run_plan)
    assert runs.open_runs() == []
    # And the run item, which has counted all 204 shards, stays far from the item size limit
    assert _stored_size(dynamodb, f"sweep-run#{run_plan.run_id}") < ITEM_LIMIT // 10


def test_a_full_shard_of_a_20_000_target_run_stays_far_from_the_item_size_limit(
    dynamodb: Any,
) -> None:
    runs = DynamoSweepRuns(dynamodb, TABLE)
    # Given a started run over 1,200 accounts x 17 regions in shards of the real size
    run_plan = plan("20261203T060000Z-items", _accounts(1_200), REGIONS, started_at=1_796_300_000)
    assert len(run_plan.items) == 20_400
    runs.start(run_plan)
    # (every shard holds SHARD_SIZE targets; the largest is the one whose targets' text is longest)
    largest = max(run_plan.shards, key=lambda shard: len(json.dumps(shard.targets)))
    assert {len(shard.targets) for shard in run_plan.shards} == {work.SHARD_SIZE}

    # When every target of the largest shard is counted, its last one twice
    for account, region in (*largest.targets, largest.targets[-1]):
        runs.count_done(run_plan.run_id, (account, region), largest.index)

    # Then the shard, all its targets and all of them counted, stays far from the limit, as
    # does every other shard and the run item
    keys = [
        f"sweep-run#{run_plan.run_id}",
        *(f"sweep-run#{run_plan.run_id}#shard#{shard.index}" for shard in run_plan.shards),
    ]
    sizes = {key: _stored_size(dynamodb, key) for key in keys}
    assert max(sizes.values()) < ITEM_LIMIT // 10
    assert max(sizes, key=sizes.__getitem__) == keys[1 + largest.index]


@pytest.mark.slow
def test_a_20_000_target_run_counts_each_target_once_and_merges_them_all() -> None:
    runs = InMemorySweepRuns()
    # Given a run over 1,200 accounts x 17 regions
    run_plan = plan("20261203T060000Z-scale", _accounts(1_200), REGIONS, started_at=1_796_300_000)
    assert len(run_plan.items) == 20_400
    runs.start(run_plan)

    # When every worker saves and counts its target (one in fifty twice) and the last merges
    # Then the run completes exactly at its last count, and one report holds every target
    report = _run_and_merge(runs, run_plan)
    _holds_every_target(report, run_plan)
    assert runs.open_runs() == []
