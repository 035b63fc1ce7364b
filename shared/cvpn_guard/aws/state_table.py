"""Per-endpoint leases and the notification outbox in one DynamoDB table.

Lambda runs concurrent invocations in separate processes, so "two events for the same
endpoint at once must cause one ModifyClientVpnEndpoint" needs a lock outside the process: a
lease item written with a conditional put. Items carry a TTL so a crashed invocation's lease
or a forgotten outbox record disappears by itself.

A lease is valid until its ``expires_at``; then anyone may take it. The enforcer never
outlives one (its timeout is shorter), but the sweeper and the sweep worker run longer, so
the holder renews it right before each write to the endpoint: a conditional put that
succeeds only while the lease is still its own and unexpired. A renewal that fails raises
``LeaseLost`` and the write is not made. A renewed lease lasts ``LEASE_SECONDS``: longer than
the renewal and the write after it together (tests/unit/aws/test_call_budget.py).
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

Clock = Callable[[], float]


class LeaseTimeout(AwsCallError):
    """Another invocation held the endpoint's lease for too long; Lambda will retry."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "AcquireLease", "LeaseTimeout", f"endpoint {key} stayed locked for {WAIT_SECONDS}s"
        )


class LeaseLost(AwsCallError):
    """Our lease expired, or another invocation took it: the write it was to guard is not
    made (the other holder, or the next event or sweep, brings the endpoint into line)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            "RenewLease",
            "LeaseLost",
            f"the lease of {key} expired or another invocation holds it now: "
            "the write to the endpoint was not made",
        )


def _lease_item(pk: str, owner: str, now: float) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "owner": {"S": owner},
        "expires_at": {"N": str(int(now) + LEASE_SECONDS)},
    }


class DynamoLease:
    """One held lease (``ports.Lease``): ``renew`` right before each write to the endpoint."""

    def __init__(
        self, dynamodb: DynamoDBClient, table_name: str, pk: str, owner: str, clock: Clock
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._pk = pk
        self._owner = owner
        self._clock = clock

    def renew(self) -> None:
        """Extend the lease by ``LEASE_SECONDS`` from now, if it is still ours and unexpired.

        Raises
        ------
        LeaseLost
            It expired (whether or not someone took it since) or another invocation holds it.
        """
        now = self._clock()
        try:
            self._db.put_item(
                TableName=self._table,
                Item=_lease_item(self._pk, self._owner, now),
                ConditionExpression="#owner = :owner AND expires_at >= :now",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={
                    ":owner": {"S": self._owner},
                    ":now": {"N": str(int(now))},
                },
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise LeaseLost(self._pk.removeprefix("lease#")) from error
            raise AwsCallError("PutItem", error_code(error), str(error)) from error


class DynamoStateTable:
    """``EndpointLocks``, ``NoticeOutbox`` and ``WindowLedger`` on one table (key ``pk``, TTL
    ``expires_at``)."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        *,
        clock: Clock = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._clock = clock
        self._sleep = sleep

    @contextmanager
    def hold(self, key: str) -> Iterator[DynamoLease]:
        """Hold the lease of ``key``, waiting (with backoff) while another invocation has it."""
        owner = uuid.uuid4().hex
        pk = f"lease#{key}"
        self._acquire(pk, owner)
        try:
            yield DynamoLease(self._db, self._table, pk, owner, self._clock)
        finally:
            self._release(pk, owner)

    def _acquire(self, pk: str, owner: str) -> None:
        deadline = self._clock() + WAIT_SECONDS
        delay = 0.05
        while True:
            now = self._clock()
            try:
                self._db.put_item(
                    TableName=self._table,
                    Item=_lease_item(pk, owner, now),
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

    def _get(self, pk: str) -> Mapping[str, Any] | None:
        """The item ``pk``, read consistently (just written by another invocation), or None."""
        with aws_call("GetItem"):
            response = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True
            )
        return response.get("Item") or None

    def _put(self, pk: str, expires_at: float, **values: Mapping[str, str]) -> None:
        """Write the item ``pk`` (whole), deleted by the table's TTL after ``expires_at``."""
        with aws_call("PutItem"):
            self._db.put_item(
                TableName=self._table,
                Item={"pk": {"S": pk}, **values, "expires_at": {"N": str(int(expires_at))}},
            )

    def pending(self, key: str) -> Mapping[str, Any] | None:
        """The outbox record of ``key``, if any."""
        item = self._get(f"outbox#{key}")
        if item is None:
            return None
        record: Mapping[str, Any] = json.loads(item["record"]["S"])
        return record

    def save(self, key: str, record: Mapping[str, Any]) -> None:
        """Save the outbox record of ``key``."""
        expires = int(self._clock()) + OUTBOX_DAYS * 86_400
        self._put(f"outbox#{key}", expires, record={"S": json.dumps(record)})

    def window_settled(self, key: str) -> bool:
        """Whether the window opening ``key`` was marked settled (its deferred fixes applied)."""
        item = self._get(f"window#{key}")
        # TTL deletes expired items only eventually: an item past its time is no mark.
        return item is not None and int(item["expires_at"]["N"]) > self._clock()

    def settle_window(self, key: str, until: float) -> None:
        """Mark the window opening ``key`` settled until ``until`` (epoch seconds, its end)."""
        self._put(f"window#{key}", until)
