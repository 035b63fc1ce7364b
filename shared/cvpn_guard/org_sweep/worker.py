"""A worker's part of an org sweep: sweep one account in one region, count it, merge when last.

The order of steps is what makes every failure recoverable:

1. the target's result is saved (a redelivery overwrites it);
2. the target is counted, once (``SweepRuns.count_done``); the invocation that counts the last
   target, or a redelivery of it, goes on to the merge;
3. the merge is claimed (idempotently: the same worker may claim again), the report built and
   published, and only then the run is marked merged. A failure anywhere raises: SQS delivers
   the item again, its target is already counted, and the merge is tried again; a run whose
   last item never succeeds is merged by the finisher at its deadline.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import (
    RunRecord,
    SweepRuns,
    Target,
    WorkItem,
    decode_result,
    encode_result,
)
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort, EndpointLocks, TrailPort
from cvpn_guard.report import (
    ComplianceReport,
    NotSwept,
    RegionTrail,
    ReportError,
    ReportSource,
    build_report,
)
from cvpn_guard.sweep import RegionSweep, region_trail, sweep_region

ApiFor = Callable[[str, str], ClientVpnPort]
"""(account, region) -> Client VPN operations there (assumes the member role when needed)."""
TrailsFor = Callable[[str, str], TrailPort]
"""(account, region) -> CloudTrail there."""
Publish = Callable[[ComplianceReport], object]
"""Sends a merged report (every part of it); raises when it could not."""

CLAIM_STALE_SECONDS = 1_000
"""A merge claim older than this belongs to an invocation that died: longer than the longest
function timeout that merges (the sweeper's 900 s), so a live merger is never overtaken."""

REPORT_NAMESPACE = uuid.UUID("5b3f1c9e-8d2a-4f6b-9c1e-2a7d4e6f8b0c")


def sweep_target(
    item: WorkItem, api_for: ApiFor, policy: Policy, *, locks: EndpointLocks, trails_for: TrailsFor
) -> RegionSweep:
    """Sweep one target and read its CloudTrail state; an account we cannot enter (no member
    role yet) is an error entry of the report, never a failed sweep."""
    try:
        api = api_for(item.account, item.region)
        trails = trails_for(item.account, item.region)
    except AwsCallError as error:
        reason = f"{error.operation}: {error.message}"
        return RegionSweep(
            item.region,
            errors=[
                ReportError(
                    account=item.account,
                    region=item.region,
                    code=error.code,
                    message=reason,
                    failed_call=error.operation,
                )
            ],
            cloudtrail=[
                RegionTrail(
                    account=item.account,
                    region=item.region,
                    logging=None,
                    problem=f"{error.code}: {reason}",
                )
            ],
        )
    result = sweep_region(api, policy, account=item.account, region=item.region, locks=locks)
    result.cloudtrail.append(region_trail(item.region, trails, account=item.account))
    return result


def complete_target(
    item: WorkItem, result: RegionSweep, *, runs: SweepRuns, policy: Policy, publish: Publish
) -> ComplianceReport | None:
    """Save ``result`` and count the target; the worker that counts the last target merges
    and publishes the organization report and gets it (the others get None).

    Raises
    ------
    RunGone
        The run is not in the state table (expired, or the item belongs to no run).
    AwsCallError
        A state-table call, or the publish, failed: SQS delivers the item again.
    """
    runs.save_result(item.run_id, item.target, encode_result(result))
    if not runs.count_done(item.run_id, item.target, item.shard):
        return None
    return finish_run(
        item.run_id,
        owner=f"worker:{item.account}/{item.region}",
        runs=runs,
        policy=policy,
        publish=publish,
        complete=True,
    )


def finish_run(
    run_id: str,
    *,
    owner: str,
    runs: SweepRuns,
    policy: Policy,
    publish: Publish,
    complete: bool,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ComplianceReport | None:
    """Claim, merge, publish, then mark merged; None when someone else has the merge.

    ``complete``: every target has been counted; otherwise (a deadline merge) the targets
    that have not reported are ``not_swept`` entries of the report.
    """
    run = runs.claim_merge(run_id, owner, stale_after=CLAIM_STALE_SECONDS, complete=complete)
    if run is None:
        return None
    report = merge(run, runs=runs, policy=policy, now=now())
    publish(report)
    runs.mark_merged(run_id, owner)
    return report


def merge(run: RunRecord, *, runs: SweepRuns, policy: Policy, now: datetime) -> ComplianceReport:
    """One organization report from every counted target's result; the targets not counted
    (a deadline merge) are ``not_swept``."""
    counted: list[Target] = []
    missing: list[Target] = []
    for shard in runs.shards(run):
        for target in shard.targets:
            (counted if target in shard.counted else missing).append(target)
    saved = runs.results(run.run_id, counted)
    results = [
        decode_result(region, saved[(account, region)])
        for account, region in counted
        if (account, region) in saved
    ]
    missing += [target for target in counted if target not in saved]
    left_out = [NotSwept.model_validate(entry) for entry in run.not_swept]
    left_out += [_not_swept_by_deadline(target, run) for target in missing]
    return build_report(
        policy=policy,
        source=ReportSource(kind="sweeper", event_id=run.run_id, regions=run.regions),
        endpoints=[endpoint for result in results for endpoint in result.endpoints],
        errors=[error for result in results for error in result.errors],
        cloudtrail=[trail for result in results for trail in result.cloudtrail],
        not_swept=left_out,
        generated_at=now,
        report_id=str(uuid.uuid5(REPORT_NAMESPACE, run.run_id)),
    )


def _not_swept_by_deadline(target: Target, run: RunRecord) -> NotSwept:
    account, region = target
    when = (
        f"its deadline ({datetime.fromtimestamp(run.deadline, UTC):%Y-%m-%d %H:%M} UTC)"
        if run.deadline is not None
        else "the next sweep"
    )
    return NotSwept(
        account=account,
        region=region,
        reason="deadline_passed",
        message=f"its sweep worker had not reported when the run was merged at {when}: the "
        "work item failed for good (see the failure queue and the sweep worker's logs) or "
        "was still running; the next sweep covers it again",
    )
