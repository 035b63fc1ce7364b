"""An organization sweep of 20,400 targets (1,200 accounts x 17 regions) through the state
table: every target counted once whatever the redeliveries, no item near DynamoDB's 400 KB
limit, one merge that holds every target."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
from cvpn_guard.org_sweep.work import RegionSweep, encode_result, plan
from cvpn_guard.org_sweep.worker import finish_run
from cvpn_guard.policy import default_policy
from cvpn_guard.report import ComplianceReport, RegionTrail

ACCOUNTS = [f"{300000000000 + n}" for n in range(1_200)]
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
]  # fmt: skip
ITEM_LIMIT = 400 * 1024  # DynamoDB's maximum item size


def _item_size(item: dict[str, Any]) -> int:
    # An upper bound of DynamoDB's size: names plus the values' JSON text.
    return sum(len(name) + len(json.dumps(value)) for name, value in item.items())


@pytest.mark.slow
def test_a_20_000_target_run_counts_each_target_once_and_merges_them_all(dynamodb: Any) -> None:
    runs = DynamoSweepRuns(dynamodb, "cvpn-guard-state")
    # Given a run over 1,200 accounts x 17 regions
    run_plan = plan("20261203T060000Z-scale", ACCOUNTS, REGIONS, started_at=1_796_300_000)
    items = run_plan.items
    assert len(items) == 20_400
    runs.start(run_plan)

    # When every worker saves its result and counts its target, and one in fifty of the
    # items is delivered (and counted) a second time
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

    # Then the run is complete exactly when its last target is counted, and only then
    assert completions == [items[-1].target]
    # And no item of the run comes near DynamoDB's item size limit
    sizes = [
        _item_size(dynamodb.get_item(TableName="cvpn-guard-state", Key={"pk": {"S": key}})["Item"])
        for key in [
            f"sweep-run#{run_plan.run_id}",
            *(f"sweep-run#{run_plan.run_id}#shard#{s.index}" for s in run_plan.shards),
        ]
    ]
    assert max(sizes) < ITEM_LIMIT // 10

    # When the last worker merges
    published: list[ComplianceReport] = []
    report = finish_run(
        run_plan.run_id,
        owner="worker:last",
        runs=runs,
        policy=default_policy(),
        publish=published.append,
        complete=True,
    )

    # Then one report holds every target's CloudTrail state and leaves nothing out
    assert report is not None
    assert published == [report]
    assert len(report.cloudtrail) == 20_400
    assert {(t.account, t.region) for t in report.cloudtrail} == {i.target for i in items}
    assert report.not_swept == ()
    assert runs.open_runs() == []
