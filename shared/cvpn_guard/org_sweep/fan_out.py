"""The sweeper's part of an org sweep: record the run, then enqueue one item per target."""

from __future__ import annotations

from cvpn_guard.org_sweep.work import RunPlan, SweepRuns, WorkItem, WorkQueue


def start_org_sweep(plan: RunPlan, *, runs: SweepRuns, queue: WorkQueue) -> list[WorkItem]:
    """Record the run, then enqueue every item of ``plan``; returns the items sent.

    The run is recorded first: a worker that finishes before the last item is even sent
    must find the run and its full count. A fan-out that fails half-way abandons its run
    (its items still sweep, but no report comes of it) before raising: the retried sweep
    starts a run of its own, and a half-planned run must not be merged as if it were one.
    """
    items = plan.items
    runs.start(plan)
    try:
        queue.send([item.as_message() for item in items])
    except Exception:
        runs.abandon(plan.run_id)
        raise
    return items
