"""Work items, run plans and per-target results: what travels through SQS and the state table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cvpn_guard.exceptions import CvpnGuardError
from cvpn_guard.report import EndpointReport, NotSwept, RegionTrail, ReportError
from cvpn_guard.sweep import RegionSweep

Target = tuple[str, str]
"""(account, region)"""

SHARD_SIZE = 100
"""Targets counted in one state-table item: its set of counted targets stays near 20 KB, far
from DynamoDB's 400 KB item limit, and a 20,000-target run needs 200 of them."""


class MalformedWorkItem(CvpnGuardError):
    """An SQS message that is not a work item of this version (a retry cannot fix it)."""


class RunGone(CvpnGuardError):
    """The run's state is not (or no longer) in the state table: expired, or never recorded."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"no sweep run {run_id} in the state table")
        self.run_id = run_id


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Sweep ``account`` in ``region`` for run ``run_id``; counted in shard ``shard``."""

    run_id: str
    account: str
    region: str
    shard: int

    @property
    def target(self) -> Target:
        return (self.account, self.region)

    def as_message(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "account": self.account,
            "region": self.region,
            "shard": self.shard,
        }

    @classmethod
    def from_message(cls, body: str) -> WorkItem:
        """The work item in an SQS message body; a message that is not one says why."""
        try:
            raw = json.loads(body)
            item = cls(
                str(raw["run_id"]), str(raw["account"]), str(raw["region"]), int(raw["shard"])
            )
        except (ValueError, TypeError, KeyError) as error:
            raise MalformedWorkItem(
                f"not a sweep work item ({type(error).__name__}: {error}); a message of an "
                "earlier cvpn-guard version, or not cvpn-guard's: the next sweep covers it"
            ) from error
        return item


@dataclass(frozen=True, slots=True)
class Shard:
    """Targets counted together; ``counted``: those whose worker reported."""

    index: int
    targets: tuple[Target, ...]
    counted: frozenset[Target] = frozenset()


@dataclass(frozen=True, slots=True)
class RunPlan:
    """A run as the fan-out records it, before any item is sent."""

    run_id: str
    regions: tuple[str, ...]
    shards: tuple[Shard, ...]
    started_at: int
    deadline: int | None = None
    """Epoch seconds after which the finisher merges what has reported (None: the next sweep
    does)."""
    not_swept: tuple[Mapping[str, Any], ...] = ()
    """What the fan-out already knows it leaves out (``NotSwept`` as JSON)."""

    @property
    def items(self) -> list[WorkItem]:
        return [
            WorkItem(self.run_id, account, region, shard.index)
            for shard in self.shards
            for account, region in shard.targets
        ]


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run as the state table holds it."""

    run_id: str
    shards: int
    pending_shards: int
    regions: tuple[str, ...]
    started_at: int
    deadline: int | None = None
    not_swept: tuple[Mapping[str, Any], ...] = ()
    merged: bool = False
    abandoned: bool = False

    def overdue(self, now: float, *, new_sweep: bool) -> bool:
        """Whether the finisher should merge it now: its deadline passed, or (without a
        deadline of its own) a new sweep supersedes it."""
        if self.deadline is None:
            return new_sweep
        return now >= self.deadline


class SweepRuns(Protocol):
    """Run state shared by the workers (``cvpn_guard.aws.sweep_runs.DynamoSweepRuns``)."""

    def start(self, plan: RunPlan) -> None: ...
    def abandon(self, run_id: str) -> None: ...
    def save_result(self, run_id: str, target: Target, result: bytes) -> None: ...
    def count_done(self, run_id: str, target: Target, shard: int) -> bool: ...
    def claim_merge(
        self, run_id: str, owner: str, *, stale_after: float, complete: bool
    ) -> RunRecord | None: ...
    def run(self, run_id: str) -> RunRecord | None: ...
    def shards(self, run: RunRecord) -> Iterable[Shard]: ...
    def results(self, run_id: str, targets: Sequence[Target]) -> Mapping[Target, bytes]: ...
    def mark_merged(self, run_id: str, owner: str) -> None: ...
    def open_runs(self) -> list[str]: ...
    def close(self, run_id: str) -> None: ...


class WorkQueue(Protocol):
    """Where work items go (``cvpn_guard.aws.sweep_queue.SweepQueue``)."""

    def send(self, items: Sequence[Mapping[str, Any]]) -> None: ...


def plan(
    run_id: str,
    accounts: Iterable[str],
    regions: Iterable[str],
    *,
    started_at: int,
    deadline: int | None = None,
    not_swept: Iterable[NotSwept] = (),
) -> RunPlan:
    """Every account x region, each once, in a stable order, in shards of ``SHARD_SIZE``."""
    region_list = tuple(dict.fromkeys(regions))
    targets = [(account, region) for account in dict.fromkeys(accounts) for region in region_list]
    shards = tuple(
        Shard(index, tuple(targets[start : start + SHARD_SIZE]))
        for index, start in enumerate(range(0, len(targets), SHARD_SIZE))
    )
    return RunPlan(
        run_id,
        region_list,
        shards,
        started_at,
        deadline,
        tuple(entry.model_dump(mode="json") for entry in not_swept),
    )


def encode_result(result: RegionSweep) -> bytes:
    """One target's verdicts, errors and CloudTrail state, as JSON."""
    return json.dumps(
        {
            "endpoints": [e.model_dump(mode="json") for e in result.endpoints],
            "errors": [e.model_dump(mode="json") for e in result.errors],
            "cloudtrail": [t.model_dump(mode="json") for t in result.cloudtrail],
        },
        separators=(",", ":"),
    ).encode()


def decode_result(region: str, data: bytes) -> RegionSweep:
    """The inverse of :func:`encode_result`."""
    raw = json.loads(data)
    return RegionSweep(
        region,
        endpoints=[EndpointReport.model_validate(e) for e in raw["endpoints"]],
        errors=[ReportError.model_validate(e) for e in raw["errors"]],
        cloudtrail=[RegionTrail.model_validate(t) for t in raw.get("cloudtrail", [])],
    )
