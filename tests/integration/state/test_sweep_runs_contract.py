"""The ``SweepRuns`` contract, held by the state table's adapter and by the in-memory fake the
worker's unit tests run on (tests/support/fakes.py): the same specification for both, so the
fake cannot drift from what DynamoDB does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
from cvpn_guard.org_sweep.work import RunGone, RunPlan, SweepRuns, plan
from tests.support.fakes import InMemorySweepRuns

RUN = "20261204T060000Z-contract"
STALE_AFTER = 100.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_796_400_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["dynamodb", "in_memory"])
def made(request: pytest.FixtureRequest) -> tuple[SweepRuns, Clock]:
    clock = Clock()
    if request.param == "in_memory":
        return InMemorySweepRuns(clock=clock), clock
    dynamodb: Any = request.getfixturevalue("dynamodb")
    return DynamoSweepRuns(dynamodb, "cvpn-guard-state", clock=clock, sleep=lambda _: None), clock


def _started(runs: SweepRuns, clock: Callable[[], float]) -> RunPlan:
    run_plan = plan(RUN, ["210000000001", "210000000002"], ["eu-west-1"], started_at=int(clock()))
    runs.start(run_plan)
    return run_plan


def test_each_target_counts_once_and_the_last_one_completes_the_run(
    made: tuple[SweepRuns, Clock],
) -> None:
    runs, clock = made
    first, last = _started(runs, clock).items
    assert runs.count_done(RUN, first.target, first.shard) is False
    assert runs.count_done(RUN, first.target, first.shard) is False  # a redelivery
    assert runs.count_done(RUN, last.target, last.shard) is True
    assert runs.count_done(RUN, last.target, last.shard) is True  # the last one, again
    record = runs.run(RUN)
    assert record is not None
    assert record.pending_shards == 0


def test_a_complete_merge_waits_for_every_target(made: tuple[SweepRuns, Clock]) -> None:
    runs, clock = made
    first, _ = _started(runs, clock).items
    runs.count_done(RUN, first.target, first.shard)
    assert runs.claim_merge(RUN, "worker:a", stale_after=STALE_AFTER, complete=True) is None
    assert runs.claim_merge(RUN, "finisher", stale_after=STALE_AFTER, complete=False) is not None


def test_one_owner_at_a_time_until_its_claim_is_stale_and_never_once_merged(
    made: tuple[SweepRuns, Clock],
) -> None:
    runs, clock = made
    for item in _started(runs, clock).items:
        runs.count_done(RUN, item.target, item.shard)
    assert runs.claim_merge(RUN, "worker:a", stale_after=STALE_AFTER, complete=True) is not None
    assert runs.claim_merge(RUN, "worker:a", stale_after=STALE_AFTER, complete=True) is not None
    assert runs.claim_merge(RUN, "worker:b", stale_after=STALE_AFTER, complete=True) is None
    clock.now += STALE_AFTER + 1
    assert runs.claim_merge(RUN, "worker:b", stale_after=STALE_AFTER, complete=True) is not None
    runs.mark_merged(RUN, "worker:b")
    assert runs.claim_merge(RUN, "worker:b", stale_after=STALE_AFTER, complete=True) is None


def test_results_are_overwritten_by_a_redelivery_and_missing_ones_left_out(
    made: tuple[SweepRuns, Clock],
) -> None:
    runs, clock = made
    first, last = _started(runs, clock).items
    runs.save_result(RUN, first.target, b"first")
    runs.save_result(RUN, first.target, b"again")
    assert dict(runs.results(RUN, [first.target, last.target])) == {first.target: b"again"}


def test_counting_in_an_unknown_run_is_run_gone(made: tuple[SweepRuns, Clock]) -> None:
    runs, _ = made
    with pytest.raises(RunGone):
        runs.count_done("no-such-run", ("210000000001", "eu-west-1"), 0)
