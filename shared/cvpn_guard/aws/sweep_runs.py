"""The org sweep's run state in the state table: targets, results per target, a countdown.

Workers run in separate invocations, so the merge needs shared state: the run item holds the
targets and how many are still to report; each worker saves its result once (a conditional
put: SQS delivers at least once, and a redelivery must not count twice) and counts down; the
worker that brings the count to zero merges. Results are compressed: a region's verdicts
must fit in one item (400 KB).
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

    def save_result(self, run_id: str, target: Target, result: bytes) -> bool:
        """Save one target's result; False when it was saved already (a redelivery)."""
        try:
            self._db.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": _result_key(run_id, target)},
                    "result": {"B": zlib.compress(result)},
                    "expires_at": self._expires(),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise AwsCallError("PutItem", error_code(error), str(error)) from error
        return True

    def count_down(self, run_id: str) -> int:
        """One more target reported: how many are still to come."""
        with aws_call("UpdateItem"):
            response = self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": f"sweep-run#{run_id}"}},
                UpdateExpression="ADD remaining :minus_one",
                ExpressionAttributeValues={":minus_one": {"N": "-1"}},
                ReturnValues="UPDATED_NEW",
            )
        return int(response["Attributes"]["remaining"]["N"])

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
