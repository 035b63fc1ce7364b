"""In-memory stand-ins for the ports (``cvpn_guard.ports``, ``org_sweep.work.SweepRuns``): the
use cases' unit tests run on these, without moto or the emulator.

``FakeClientVpn`` holds Describe items and applies a Modify only for parameters whose Modify and
Describe spellings are the same (the session-timeout settings); any other parameter is refused
loudly, so that a test never leans on a guess about how AWS shows a change (the emulator's
tests own that mapping).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import RunGone, RunPlan, RunRecord, Shard, Target
from cvpn_guard.ports import TrailState
from cvpn_guard.report import Notice

SAME_SPELLING = frozenset({"DisconnectOnSessionTimeout", "SessionTimeoutHours"})


class FakeClientVpn:
    """A ``ClientVpnPort`` over a dict of Describe items; records every call it is asked."""

    def __init__(self, *items: Mapping[str, Any]) -> None:
        self.items = {str(item["ClientVpnEndpointId"]): copy.deepcopy(dict(item)) for item in items}
        self.calls: list[tuple[str, str]] = []
        self.connections = 0
        self.refuse_modify: AwsCallError | None = None
        self.ignore_modify = False  # answer OK but change nothing (a fix that does not stick)

    def describe_endpoint(self, endpoint_id: str) -> Mapping[str, Any] | None:
        self.calls.append(("DescribeClientVpnEndpoints", endpoint_id))
        item = self.items.get(endpoint_id)
        return copy.deepcopy(item) if item is not None else None

    def endpoint_pages(self, page_size: int = 1000) -> Iterator[Sequence[Mapping[str, Any]]]:
        yield [copy.deepcopy(item) for item in self.items.values()]

    def authorization_rules(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        self.calls.append(("DescribeClientVpnAuthorizationRules", endpoint_id))
        return []

    def default_security_group_ids(self, vpc_id: str) -> frozenset[str]:
        self.calls.append(("DescribeSecurityGroups", vpc_id))
        return frozenset()

    def routes(self, endpoint_id: str) -> list[Mapping[str, Any]]:
        self.calls.append(("DescribeClientVpnRoutes", endpoint_id))
        return []

    def authorization_policy(self, endpoint_id: str) -> Mapping[str, Any]:
        self.calls.append(("GetClientVpnEndpointAuthorizationPolicy", endpoint_id))
        return {"ClientVpnEndpointId": endpoint_id}

    def revocation_list(self, endpoint_id: str) -> Mapping[str, Any]:
        self.calls.append(("ExportClientVpnClientCertificateRevocationList", endpoint_id))
        return {}

    def active_connection_count(self, endpoint_id: str) -> int:
        self.calls.append(("DescribeClientVpnConnections", endpoint_id))
        return self.connections

    def modify_endpoint(self, endpoint_id: str, parameters: Mapping[str, Any]) -> None:
        self.calls.append(("ModifyClientVpnEndpoint", endpoint_id))
        if self.refuse_modify is not None:
            raise self.refuse_modify
        unknown = set(parameters) - SAME_SPELLING
        if unknown:
            raise AssertionError(f"FakeClientVpn cannot show {sorted(unknown)} in Describe")
        if not self.ignore_modify:
            self.items[endpoint_id].update(copy.deepcopy(dict(parameters)))

    def revoke_access_all(self, endpoint_id: str, target_network_cidr: str) -> None:
        raise AssertionError("not used by these tests")

    def delete_route(
        self, endpoint_id: str, destination_cidr: str, target_subnet: str | None
    ) -> None:
        raise AssertionError("not used by these tests")

    def leave_shadow_mode(self, endpoint_id: str, policy_document: str) -> None:
        raise AssertionError("not used by these tests")

    def made(self, operation: str) -> int:
        """How many calls of ``operation`` were made."""
        return sum(1 for name, _ in self.calls if name == operation)


class RecordingNotifier:
    """A ``NotificationPort`` that keeps what it was asked to publish; may fail the first N."""

    def __init__(self, failures: int = 0) -> None:
        self.published: list[tuple[Notice, str | None]] = []
        self._failures = failures

    def publish(self, notice: Notice, *, deduplication_id: str | None = None) -> str:
        if self._failures:
            self._failures -= 1
            raise AwsCallError("Publish", "Throttling", "Rate exceeded")
        self.published.append((notice, deduplication_id))
        return f"message-{len(self.published)}"


@dataclass
class _RunState:
    plan: RunPlan
    counted: dict[int, set[Target]]
    owner: str | None = None
    claimed_at: float = 0.0
    merged: bool = False
    abandoned: bool = False


class InMemorySweepRuns:
    """A ``SweepRuns`` in a dict, with ``DynamoSweepRuns``' contract (its docstrings): a target
    counted once whatever the redeliveries, ``count_done`` True once every target is counted,
    a merge claimed by one owner at a time (again by the same, by anybody once stale), never
    once merged or abandoned."""

    def __init__(self, clock: Callable[[], float] = lambda: 0.0) -> None:
        self._clock = clock
        self._runs: dict[str, _RunState] = {}
        self._results: dict[tuple[str, Target], bytes] = {}
        self.published_merges = 0

    def start(self, plan: RunPlan) -> None:
        self._runs[plan.run_id] = _RunState(plan, {shard.index: set() for shard in plan.shards})

    def abandon(self, run_id: str) -> None:
        self._state(run_id).abandoned = True

    def save_result(self, run_id: str, target: Target, result: bytes) -> None:
        self._results[(run_id, target)] = result

    def count_done(self, run_id: str, target: Target, shard: int) -> bool:
        state = self._state(run_id)
        state.counted[shard].add(target)
        return self._complete(state)

    def claim_merge(
        self, run_id: str, owner: str, *, stale_after: float, complete: bool
    ) -> RunRecord | None:
        state = self._state(run_id)
        if state.merged or state.abandoned or (complete and not self._complete(state)):
            return None
        stale = state.claimed_at < self._clock() - stale_after
        if state.owner not in (None, owner) and not stale:
            return None
        state.owner, state.claimed_at = owner, self._clock()
        return self.run(run_id)

    def run(self, run_id: str) -> RunRecord | None:
        state = self._runs.get(run_id)
        if state is None:
            return None
        plan = state.plan
        pending = sum(
            1 for shard in plan.shards if len(state.counted[shard.index]) < len(shard.targets)
        )
        return RunRecord(
            run_id,
            shards=len(plan.shards),
            pending_shards=pending,
            regions=plan.regions,
            started_at=plan.started_at,
            deadline=plan.deadline,
            not_swept=plan.not_swept,
            merged=state.merged,
            abandoned=state.abandoned,
        )

    def shards(self, run: RunRecord) -> Iterable[Shard]:
        state = self._state(run.run_id)
        return [
            Shard(shard.index, shard.targets, frozenset(state.counted[shard.index]))
            for shard in state.plan.shards
        ]

    def results(self, run_id: str, targets: Sequence[Target]) -> Mapping[Target, bytes]:
        return {t: self._results[(run_id, t)] for t in targets if (run_id, t) in self._results}

    def mark_merged(self, run_id: str, owner: str) -> None:
        state = self._state(run_id)
        assert state.owner == owner, "only the merge's owner marks it merged"
        state.merged = True
        self.published_merges += 1

    def open_runs(self) -> list[str]:
        return sorted(run_id for run_id, state in self._runs.items() if not state.merged)

    def close(self, run_id: str) -> None:
        self._runs.pop(run_id, None)

    def _state(self, run_id: str) -> _RunState:
        state = self._runs.get(run_id)
        if state is None:
            raise RunGone(run_id)
        return state

    @staticmethod
    def _complete(state: _RunState) -> bool:
        return all(
            len(state.counted[shard.index]) == len(shard.targets) for shard in state.plan.shards
        )


class FakeTrails:
    """A ``TrailPort``: one trail logging the region, or an error."""

    def __init__(self, logging: bool = True, error: AwsCallError | None = None) -> None:
        self._logging = logging
        self._error = error

    def trails(self) -> list[TrailState]:
        if self._error is not None:
            raise self._error
        return [TrailState("arn:aws:cloudtrail:eu-west-1:123456789012:trail/org", self._logging)]
