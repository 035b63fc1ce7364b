"""The sweeper's part of an org sweep: record the run, then enqueue one item per target."""

from __future__ import annotations

from collections.abc import Sequence

from cvpn_guard.org_sweep.work import SweepRuns, WorkItem, WorkQueue, plan


def start_org_sweep(
    run_id: str,
    accounts: Sequence[str],
    regions: Sequence[str],
    *,
    runs: SweepRuns,
    queue: WorkQueue,
) -> list[WorkItem]:
    """Plan every account x region and enqueue it; returns the items sent.

    The run is recorded first: a worker that finishes before the last item is even sent
    must find the run and its full count.
    """
    items = plan(run_id, accounts, regions)
    runs.start(run_id, [item.target for item in items])
    queue.send([item.as_message() for item in items])
    return items
