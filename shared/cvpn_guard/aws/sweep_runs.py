"""The org sweep's run state in the state table (key ``pk``, TTL ``expires_at``).

Workers run in separate invocations, so the merge needs shared state; SQS delivers at least
once, and an invocation may die anywhere. The layout keeps every step one idempotent write and
no item near DynamoDB's 400 KB limit, whatever the number of targets:

- ``sweep-run#ID``: the run (deadline, regions, what the fan-out left out, how many shards are
  still counting, the merge claim, ``merged_at`` once the report is out);
- ``sweep-run#ID#shard#K``: up to ``SHARD_SIZE`` targets, the set of those counted and how many
  remain. Counting a target is ONE conditional update of its shard (``NOT contains``): a
  redelivered item never counts twice, and one whose first invocation died after counting
  finds its target counted and carries on from there;
- ``sweep-run#ID#result#ACCOUNT#REGION``: one target's verdicts, compressed;
- ``sweep-runs#open``: the ids of runs not merged yet, for the finisher (the next sweep, or the
  deadline timer) to merge what the workers did not.

Only plain updates are used (no transactions), so ten workers counting at once never meet a
``TransactionConflict``; should DynamoDB still answer one (an item inside someone's
transaction), the update is tried again.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from cvpn_guard.aws.errors import aws_call, error_code
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import RunGone, RunPlan, RunRecord, Shard, Target

RUN_DAYS = 2  # a run's items expire (TTL) well after the longest sweep
OPEN_RUNS_KEY = "sweep-runs#open"
BATCH_GET = 100  # BatchGetItem's maximum keys per request
CONFLICT_ATTEMPTS = 5
# botocore's standard retry mode does not retry TransactionConflict: it is in none of the
# retryable code lists of botocore/retries/standard.py nor in DynamoDB's _retry.json entry.
CONFLICT_CODES = frozenset({"TransactionConflictException", "TransactionConflict"})
UNPROCESSED_ROUNDS = 8  # BatchGetItem rounds for keys DynamoDB left unprocessed


class DynamoSweepRuns:
    """Run state on the state table; ``clock`` and ``sleep`` are injected by tests."""

    def __init__(
        self,
        dynamodb: Any,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._table = table_name
        self._clock = clock
        self._sleep = sleep

    # ---- the fan-out ---------------------------------------------------------------------

    def start(self, plan: RunPlan) -> None:
        """Record a run, its shards and its place among the open runs, before any work item
        is sent (a worker that finishes before the last item is sent must find it all)."""
        expires = self._expires()
        for shard in plan.shards:
            self._put(
                {
                    "pk": {"S": _shard_key(plan.run_id, shard.index)},
                    "targets": {"S": json.dumps([list(target) for target in shard.targets])},
                    "remaining": {"N": str(len(shard.targets))},
                    "expires_at": expires,
                }
            )
        self._put(
            {
                "pk": {"S": _run_key(plan.run_id)},
                "shards": {"N": str(len(plan.shards))},
                "pending_shards": {"N": str(len(plan.shards))},
                "regions": {"S": json.dumps(list(plan.regions))},
                "not_swept": {"S": json.dumps(list(plan.not_swept))},
                "started_at": {"N": str(plan.started_at)},
                **({"deadline": {"N": str(plan.deadline)}} if plan.deadline is not None else {}),
                "expires_at": expires,
            }
        )
        self._update(
            OPEN_RUNS_KEY,
            "ADD runs :run SET expires_at = :expires",
            {":run": {"SS": [plan.run_id]}, ":expires": expires},
        )

    def abandon(self, run_id: str) -> None:
        """A fan-out that failed half-way: its items are swept but never merged (the retried
        sweep starts a run of its own)."""
        self._update(_run_key(run_id), "SET abandoned_at = :now", {":now": self._now()})
        self._close(run_id)

    # ---- the workers ---------------------------------------------------------------------

    def save_result(self, run_id: str, target: Target, result: bytes) -> None:
        """Save (or overwrite, on a redelivery) one target's result."""
        self._put(
            {
                "pk": {"S": _result_key(run_id, target)},
                "result": {"B": zlib.compress(result)},
                "expires_at": self._expires(),
            }
        )

    def count_done(self, run_id: str, target: Target, shard: int) -> bool:
        """Count ``target`` as finished (once, whatever the redeliveries); True when every
        target of the run is counted.

        Raises
        ------
        RunGone
            The run's shard is not in the table (expired, or the item belongs to no run).
        """
        remaining = self._count_in_shard(run_id, target, shard)
        if remaining > 0:
            return False
        return self._count_shard(run_id, shard) <= 0

    def _count_in_shard(self, run_id: str, target: Target, shard: int) -> int:
        """Targets of the shard still to report, once ``target`` is counted."""
        return self._count_once(
            run_id,
            _shard_key(run_id, shard),
            members="done",
            member={"S": _target_text(target)},
            counter="remaining",
        )

    def _count_shard(self, run_id: str, shard: int) -> int:
        """Shards of the run still counting, once ``shard`` (complete) is counted."""
        return self._count_once(
            run_id,
            _run_key(run_id),
            members="done_shards",
            member={"N": str(shard)},
            counter="pending_shards",
        )

    def _count_once(
        self, run_id: str, key: str, *, members: str, member: dict[str, str], counter: str
    ) -> int:
        """Add ``member`` to the set ``members`` and count ``counter`` down, in one conditional
        update that holds only if the set lacks it; the counter as it stands afterwards.

        A member counted before (a redelivery, or a retry after a failure further on) is read,
        not counted again.
        """
        ((kind, value),) = member.items()
        counted = self._conditional_update(
            key,
            "ADD #members :members, #counter :minus_one",
            {":members": {f"{kind}S": [value]}, ":minus_one": {"N": "-1"}},
            condition="attribute_exists(pk) AND NOT contains(#members, :member)",
            names={"#members": members, "#counter": counter},
            extra_values={":member": member},
        )
        item = counted if counted is not None else self._get(key)
        if item is None:
            raise RunGone(run_id)
        return int(item[counter]["N"])

    # ---- the merge -----------------------------------------------------------------------

    def claim_merge(
        self, run_id: str, owner: str, *, stale_after: float, complete: bool
    ) -> RunRecord | None:
        """Claim the merge of ``run_id`` for ``owner``; the run's record when claimed.

        Idempotent: the same owner may claim again (a redelivered last item), nobody else
        while the claim is younger than ``stale_after`` seconds (the claimant may still be
        publishing), anybody after that (it died). ``complete``: only once every target is
        counted (a worker); otherwise whatever is counted (a deadline merge). Never once the
        run is merged or abandoned.
        """
        now = self._now()
        condition = (
            "attribute_exists(pk) AND attribute_not_exists(merged_at) "
            "AND attribute_not_exists(abandoned_at) AND (attribute_not_exists(merge_owner) "
            "OR merge_owner = :owner OR merge_claimed_at < :stale)"
        )
        values: dict[str, Any] = {
            ":stale": {"N": str(int(self._clock() - stale_after))},
        }
        if complete:
            condition += " AND pending_shards <= :zero"
            values[":zero"] = {"N": "0"}
        claimed = self._conditional_update(
            _run_key(run_id),
            "SET merge_owner = :owner, merge_claimed_at = :now",
            {":owner": {"S": owner}, ":now": now},
            condition=condition,
            extra_values=values,
            returned="ALL_NEW",
        )
        return None if claimed is None else _record(run_id, claimed)

    def run(self, run_id: str) -> RunRecord | None:
        """The run's record (None when the table has none)."""
        item = self._get(_run_key(run_id))
        return None if item is None else _record(run_id, item)

    def shards(self, run: RunRecord) -> Iterator[Shard]:
        """The run's shards, each with its targets and those counted."""
        for index in range(run.shards):
            item = self._get(_shard_key(run.run_id, index))
            if item is None:
                raise RunGone(run.run_id)
            targets = tuple(
                (str(account), str(region)) for account, region in json.loads(item["targets"]["S"])
            )
            done = frozenset(item.get("done", {}).get("SS", ()))
            yield Shard(
                index,
                targets,
                counted=frozenset(t for t in targets if _target_text(t) in done),
            )

    def results(self, run_id: str, targets: Sequence[Target]) -> dict[Target, bytes]:
        """The saved results of ``targets`` (a target without one is left out)."""
        found: dict[Target, bytes] = {}
        by_key = {_result_key(run_id, target): target for target in targets}
        keys = list(by_key)
        for start in range(0, len(keys), BATCH_GET):
            pending: list[dict[str, Any]] = [
                {"pk": {"S": key}} for key in keys[start : start + BATCH_GET]
            ]
            for round_number in range(UNPROCESSED_ROUNDS):
                with aws_call("BatchGetItem"):
                    answer = self._db.batch_get_item(
                        RequestItems={
                            self._table: {
                                "Keys": pending,
                                "ConsistentRead": True,
                                "ProjectionExpression": "pk, #result",
                                "ExpressionAttributeNames": {"#result": "result"},
                            }
                        }
                    )
                for item in answer.get("Responses", {}).get(self._table, []):
                    found[by_key[item["pk"]["S"]]] = zlib.decompress(item["result"]["B"])
                pending = list(
                    answer.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
                )
                if not pending:
                    break
                self._sleep(min(0.05 * 2**round_number, 2.0))
            if pending:
                raise AwsCallError(
                    "BatchGetItem",
                    "UnprocessedKeys",
                    f"DynamoDB left {len(pending)} results of run {run_id} unread after "
                    f"{UNPROCESSED_ROUNDS} rounds",
                )
        return found

    def mark_merged(self, run_id: str, owner: str) -> None:
        """Record that ``owner`` published the run's report (only then), and close the run."""
        self._conditional_update(
            _run_key(run_id),
            "SET merged_at = :now",
            {":now": self._now()},
            condition="merge_owner = :owner",
            extra_values={":owner": {"S": owner}},
        )
        self._close(run_id)

    def open_runs(self) -> list[str]:
        """The ids of runs not merged yet, oldest first (ids start with their start time)."""
        item = self._get(OPEN_RUNS_KEY)
        return sorted(item.get("runs", {}).get("SS", ())) if item else []

    def close(self, run_id: str) -> None:
        """Forget a run that needs no merge any more (merged, abandoned, expired)."""
        self._close(run_id)

    def _close(self, run_id: str) -> None:
        self._update(OPEN_RUNS_KEY, "DELETE runs :run", {":run": {"SS": [run_id]}})

    # ---- DynamoDB calls ------------------------------------------------------------------

    def _now(self) -> dict[str, str]:
        return {"N": str(int(self._clock()))}

    def _expires(self) -> dict[str, str]:
        return {"N": str(int(self._clock()) + RUN_DAYS * 86_400)}

    def _put(self, item: Mapping[str, Any]) -> None:
        self._retrying_conflicts(
            "PutItem", lambda: self._db.put_item(TableName=self._table, Item=dict(item))
        )

    def _get(self, pk: str) -> dict[str, Any] | None:
        with aws_call("GetItem"):
            answer = self._db.get_item(
                TableName=self._table, Key={"pk": {"S": pk}}, ConsistentRead=True
            )
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def _update(self, pk: str, expression: str, values: Mapping[str, Any]) -> None:
        self._retrying_conflicts(
            "UpdateItem",
            lambda: self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": pk}},
                UpdateExpression=expression,
                ExpressionAttributeValues=dict(values),
            ),
        )

    def _conditional_update(
        self,
        pk: str,
        expression: str,
        values: Mapping[str, Any],
        *,
        condition: str,
        names: Mapping[str, str] | None = None,
        extra_values: Mapping[str, Any] | None = None,
        returned: str = "UPDATED_NEW",
    ) -> dict[str, Any] | None:
        """The item's returned attributes, or None when the condition does not hold."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"pk": {"S": pk}},
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {**values, **(extra_values or {})},
            "ReturnValues": returned,
        }
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        try:
            answer = self._retrying_conflicts(
                "UpdateItem", lambda: self._db.update_item(**request), passthrough=True
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise AwsCallError("UpdateItem", error_code(error), str(error)) from error
        attributes: dict[str, Any] = answer.get("Attributes", {})
        return attributes

    def _retrying_conflicts(
        self, operation: str, call: Callable[[], Any], *, passthrough: bool = False
    ) -> Any:
        """``call()``, tried again (with backoff) while DynamoDB answers a transaction
        conflict; ``passthrough`` leaves other ClientErrors to the caller."""
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                return call()
            except ClientError as error:
                code = error_code(error)
                if code in CONFLICT_CODES and attempt + 1 < CONFLICT_ATTEMPTS:
                    self._sleep(0.05 * 2**attempt)
                    continue
                if passthrough:
                    raise
                raise AwsCallError(operation, code, str(error)) from error
        raise AssertionError("unreachable: the last attempt returns or raises")


def _record(run_id: str, item: Mapping[str, Any]) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        shards=int(item["shards"]["N"]),
        pending_shards=int(item["pending_shards"]["N"]),
        regions=tuple(json.loads(item["regions"]["S"])),
        not_swept=tuple(json.loads(item["not_swept"]["S"])),
        started_at=int(item["started_at"]["N"]),
        deadline=int(item["deadline"]["N"]) if "deadline" in item else None,
        merged=("merged_at" in item),
        abandoned=("abandoned_at" in item),
    )


def _run_key(run_id: str) -> str:
    return f"sweep-run#{run_id}"


def _shard_key(run_id: str, shard: int) -> str:
    return f"sweep-run#{run_id}#shard#{shard}"


def _result_key(run_id: str, target: Target) -> str:
    account, region = target
    return f"sweep-run#{run_id}#result#{account}#{region}"


def _target_text(target: Target) -> str:
    return "/".join(target)
