"""Per-endpoint leases and the notification outbox in one DynamoDB table.

Lambda runs concurrent invocations in separate processes, so "two events for the same
endpoint at once must cause one ModifyClientVpnEndpoint" needs a lock outside the process: a
lease item written with a conditional put. Items carry a TTL so a crashed invocation's lease
or a forgotten outbox record disappears by itself.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cvpn_guard.aws.errors import aws_call, error_code
from cvpn_guard.exceptions import AwsCallError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LEASE_SECONDS = 200  # longer than an enforcer invocation and than two calls (test_call_budget)
WAIT_SECONDS = 60  # how long an invocation waits for a busy endpoint before giving up
OUTBOX_DAYS = 7  # Lambda's maximum event age is 6 hours; a week is generous


class LeaseTimeout(AwsCallError):
    """Another invocation held the endpoint's lease for too long; Lambda will retry."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "AcquireLease", "LeaseTimeout", f"endpoint {key} stayed locked for {WAIT_SECONDS}s"
        )


class DynamoStateTable:
    """``EndpointLocks`` and ``NoticeOutbox`` on one table (key ``pk``, TTL ``expires_at``)."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Hold the lease of ``key``, waiting (with backoff) while another invocation has it."""
        owner = uuid.uuid4().hex
        self._acquire(f"lease#{key}", owner)
        try:
            yield
        finally:
            self._release(f"lease#{key}", owner)

    def _acquire(self, pk: str, owner: str) -> None:
        deadline = self._clock() + WAIT_SECONDS
        delay = 0.05
        while True:
            now = self._clock()
            try:
                self._db.put_item(
                    TableName=self._table,
                    Item={
                        "pk": {"S": pk},
                        "owner": {"S": owner},
                        "expires_at": {"N": str(int(now) + LEASE_SECONDS)},
                    },
                    ConditionExpression="attribute_not_exists(pk) OR expires_at < :now",
                    ExpressionAttributeValues={":now": {"N": str(int(now))}},
                )
                return
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise AwsCallError("PutItem", error_code(error), str(error)) from error
            if now >= deadline:
                raise LeaseTimeout(pk)
            self._sleep(delay)
            delay = min(delay * 2, 1.0)

    def _release(self, pk: str, owner: str) -> None:
        try:
            self._db.delete_item(
                TableName=self._table,
                Key={"pk": {"S": pk}},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as error:
            # Our lease expired and someone else holds it now: theirs to release.
            if error_code(error) != "ConditionalCheckFailedException":
                raise AwsCallError("DeleteItem", error_code(error), str(error)) from error

    def pending(self, key: str) -> Mapping[str, Any] | None:
        """The outbox record of ``key``, if any."""
        with aws_call("GetItem"):
            response = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": f"outbox#{key}"}}, ConsistentRead=True
            )
        item = response.get("Item")
        if not item:
            return None
        record: Mapping[str, Any] = json.loads(item["record"]["S"])
        return record

    def save(self, key: str, record: Mapping[str, Any]) -> None:
        """Save the outbox record of ``key``."""
        expires = int(self._clock()) + OUTBOX_DAYS * 86_400
        with aws_call("PutItem"):
            self._db.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"outbox#{key}"},
                    "record": {"S": json.dumps(record)},
                    "expires_at": {"N": str(expires)},
                },
            )
