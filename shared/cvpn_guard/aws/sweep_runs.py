"""The org sweep's run state in the state table: targets, results per target, a countdown.

Workers run in separate invocations, so the merge needs shared state: the run item holds the
targets and how many are still to report. Each worker saves its result (a plain put: a
redelivery overwrites it), then, in one transaction, marks its target done and counts down:
SQS delivers at least once, and a redelivered item must not count twice, while an invocation
that died between saving and counting must still be counted when its item comes back. Once
the count is zero, one worker claims the merge (a conditional update). Results are
compressed: a region's verdicts must fit in one item (400 KB).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cvpn_guard.aws.errors import aws_call, error_code
from cvpn_guard.exceptions import AwsCallError

RUN_DAYS = 2  # a run's items expire (TTL) well after the longest sweep

Target = tuple[str, str]
"""(account, region)"""


class DynamoSweepRuns:
    """Run state on the state table (key ``pk``, TTL ``expires_at``)."""

    def __init__(
        self, dynamodb: Any, table_name: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._clock = clock

    def _expires(self) -> dict[str, str]:
        return {"N": str(int(self._clock()) + RUN_DAYS * 86_400)}

    def start(self, run_id: str, targets: Sequence[Target]) -> None:
        """Record a run and its targets before any work item is sent."""
        with aws_call("PutItem"):
            self._db.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"sweep-run#{run_id}"},
                    "targets": {"S": json.dumps([list(target) for target in targets])},
                    "remaining": {"N": str(len(targets))},
                    "expires_at": self._expires(),
                },
            )

    def targets(self, run_id: str) -> list[Target]:
        """The run's targets, in the order they were planned."""
        with aws_call("GetItem"):
            item = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": f"sweep-run#{run_id}"}}, ConsistentRead=True
            ).get("Item")
        if not item:
            raise AwsCallError("GetItem", "SweepRunNotFound", f"no sweep run {run_id}")
        return [(account, region) for account, region in json.loads(item["targets"]["S"])]

    def save_result(self, run_id: str, target: Target, result: bytes) -> None:
        """Save (or overwrite, on a redelivery) one target's result."""
        with aws_call("PutItem"):
            self._db.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": _result_key(run_id, target)},
                    "result": {"B": zlib.compress(result)},
                    "expires_at": self._expires(),
                },
            )

    def count_down(self, run_id: str, target: Target) -> bool:
        """Mark ``target`` done and count it, atomically; False when it was counted before."""
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {
                                "pk": {"S": _result_key(run_id, target) + "#done"},
                                "expires_at": self._expires(),
                            },
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": {"pk": {"S": f"sweep-run#{run_id}"}},
                            "UpdateExpression": "ADD remaining :minus_one",
                            "ExpressionAttributeValues": {":minus_one": {"N": "-1"}},
                        }
                    },
                ]
            )
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException" and _condition_failed(error):
                return False
            raise AwsCallError("TransactWriteItems", error_code(error), str(error)) from error
        return True

    def claim_merge(self, run_id: str) -> bool:
        """True for exactly one caller, once every target is counted."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"sweep-run#{run_id}"}},
                UpdateExpression="SET merged = :yes",
                ConditionExpression="remaining <= :zero AND attribute_not_exists(merged)",
                ExpressionAttributeValues={":yes": {"BOOL": True}, ":zero": {"N": "0"}},
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise AwsCallError("UpdateItem", error_code(error), str(error)) from error
        return True

    def result(self, run_id: str, target: Target) -> bytes | None:
        """One target's saved result (None when it never reported)."""
        with aws_call("GetItem"):
            item = self._db.get_item(
                TableName=self._table,
                Key={"pk": {"S": _result_key(run_id, target)}},
                ConsistentRead=True,
            ).get("Item")
        return zlib.decompress(item["result"]["B"]) if item else None


def _result_key(run_id: str, target: Target) -> str:
    account, region = target
    return f"sweep-run#{run_id}#{account}#{region}"


def _condition_failed(error: ClientError) -> bool:
    reasons = error.response.get("CancellationReasons") or []
    return any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons)
