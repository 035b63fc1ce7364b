"""DynamoSweepRuns' answers to DynamoDB's refusals: conflicts tried again, others raised."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cvpn_guard.aws.sweep_runs import CONFLICT_ATTEMPTS, DynamoSweepRuns
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import RunGone


def _refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "UpdateItem")


class ConflictingDynamoDB:
    """Answers ``conflicts`` update_item calls with a TransactionConflict, then counts."""

    def __init__(self, conflicts: int, *, remaining: int = 3) -> None:
        self.conflicts = conflicts
        self.remaining = remaining
        self.updates = 0

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.updates += 1
        if self.conflicts:
            self.conflicts -= 1
            raise _refusal("TransactionConflictException")
        return {"Attributes": {"remaining": {"N": str(self.remaining)}}}


def test_a_transaction_conflict_is_tried_again_with_backoff() -> None:
    # Given DynamoDB answers the shard's update with a conflict twice (an item inside another
    # caller's transaction), which botocore's standard retry mode does not retry
    db = ConflictingDynamoDB(conflicts=2)
    pauses: list[float] = []
    runs = DynamoSweepRuns(db, "state", sleep=pauses.append)

    # When a target is counted, Then the count goes through on the third try
    assert runs.count_done("run", ("111111111111", "eu-west-1"), 0) is False
    assert db.updates == 3
    assert pauses == [0.05, 0.1]


def test_conflicts_that_never_end_are_an_aws_call_error() -> None:
    db = ConflictingDynamoDB(conflicts=CONFLICT_ATTEMPTS)
    runs = DynamoSweepRuns(db, "state", sleep=lambda _: None)
    with pytest.raises(AwsCallError) as failed:
        runs.count_done("run", ("111111111111", "eu-west-1"), 0)
    assert failed.value.code == "TransactionConflictException"
    assert db.updates == CONFLICT_ATTEMPTS


class GoneDynamoDB:
    """The run's items expired: every condition fails, every read finds nothing."""

    def update_item(self, **request: Any) -> dict[str, Any]:
        raise _refusal("ConditionalCheckFailedException")

    def get_item(self, **request: Any) -> dict[str, Any]:
        return {}


def test_counting_in_a_run_the_table_no_longer_holds_says_so() -> None:
    runs = DynamoSweepRuns(GoneDynamoDB(), "state")
    with pytest.raises(RunGone, match="no sweep run run-1 in the state table"):
        runs.count_done("run-1", ("111111111111", "eu-west-1"), 0)
