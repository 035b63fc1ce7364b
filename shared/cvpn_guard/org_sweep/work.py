"""Work items and per-target results: what travels through SQS and the state table."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cvpn_guard.report import EndpointReport, ReportError
from cvpn_guard.sweep import RegionSweep

Target = tuple[str, str]
"""(account, region)"""


@dataclass(frozen=True, slots=True)
class WorkItem:
    """Sweep ``account`` in ``region`` for run ``run_id``."""

    run_id: str
    account: str
    region: str

    @property
    def target(self) -> Target:
        return (self.account, self.region)

    def as_message(self) -> dict[str, str]:
        return {"run_id": self.run_id, "account": self.account, "region": self.region}

    @classmethod
    def from_message(cls, body: Mapping[str, Any]) -> WorkItem:
        return cls(str(body["run_id"]), str(body["account"]), str(body["region"]))


class SweepRuns(Protocol):
    """Run state shared by the workers (``cvpn_guard.aws.sweep_runs.DynamoSweepRuns``)."""

    def start(self, run_id: str, targets: Sequence[Target]) -> None: ...
    def targets(self, run_id: str) -> list[Target]: ...
    def save_result(self, run_id: str, target: Target, result: bytes) -> None: ...
    def count_down(self, run_id: str, target: Target) -> bool: ...
    def claim_merge(self, run_id: str) -> bool: ...
    def result(self, run_id: str, target: Target) -> bytes | None: ...


class WorkQueue(Protocol):
    """Where work items go (``cvpn_guard.aws.sweep_queue.SweepQueue``)."""

    def send(self, items: Sequence[Mapping[str, Any]]) -> None: ...


def plan(run_id: str, accounts: Iterable[str], regions: Iterable[str]) -> list[WorkItem]:
    """Every account x region, each once, in a stable order."""
    region_list = list(dict.fromkeys(regions))
    return [
        WorkItem(run_id, account, region)
        for account in dict.fromkeys(accounts)
        for region in region_list
    ]


def encode_result(result: RegionSweep) -> bytes:
    """One target's verdicts and errors, as JSON."""
    return json.dumps(
        {
            "endpoints": [e.model_dump(mode="json") for e in result.endpoints],
            "errors": [e.model_dump(mode="json") for e in result.errors],
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
    )
