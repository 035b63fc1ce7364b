"""The sweeper's invocation: sweep the configured regions, publish the report, count."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard import arns
from cvpn_guard.exceptions import AwsCallError, ConfigurationError
from cvpn_guard.observability import NAMESPACE, count, load_policy_or_alarm
from cvpn_guard.org_sweep.accounts import SweepScope
from cvpn_guard.org_sweep.fan_out import start_org_sweep
from cvpn_guard.org_sweep.finisher import FinishedRuns, finish_overdue_runs
from cvpn_guard.org_sweep.work import plan as plan_run
from cvpn_guard.policy import Policy
from cvpn_guard.report import (
    ComplianceReport,
    ReportError,
    ReportSource,
    build_report,
    publish_report,
)
from cvpn_guard.runtime import Runtime, organization_accounts, sweep_queue, sweep_runs
from cvpn_guard.security_hub.export import export_or_log, export_region, listed_whole
from cvpn_guard.sweep import sweep
from cvpn_guard.sweeper.window_tick import WINDOW_TICK_EVENT, tick

SERVICE = "cvpn-guard-sweeper"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def account_of(function_arn: str) -> str:
    """The account id inside the sweeper's function ARN (``unknown`` when it has none)."""
    return arns.account_of(function_arn) or "unknown"


def _policy(runtime: Runtime, consequence: str) -> Policy:
    return load_policy_or_alarm(
        runtime.policy_store, logger=logger, metrics=metrics, consequence=consequence
    )


def run_sweep(*, runtime: Runtime, account: str, policy: Policy | None = None) -> ComplianceReport:
    """Sweep every configured region, publish the report, and return it.

    ``policy``: the one a caller read already (the window tick), else it is read here.
    """
    regions = runtime.settings.regions_to_sweep
    if not regions:
        raise ConfigurationError("no region to sweep: set SWEEP_REGIONS or AWS_REGION")
    policy = policy or _policy(runtime, "nothing swept")
    report = sweep(
        regions,
        runtime.client_vpn,
        policy,
        account=account,
        locks=runtime.state,
        source=ReportSource(kind="sweeper", regions=tuple(regions)),
        trails_for=runtime.cloudtrail,
    )
    _export_to_security_hub(runtime, report, policy, account, regions)
    published = publish_report(runtime.notifier, report)
    summary = report.summary
    for name, value in (
        ("Evaluated", summary.endpoints),
        ("NonCompliant", summary.non_compliant),
        ("Remediated", summary.remediated),
        ("RemediationFailed", summary.remediation_failed),
        ("Deferred", summary.deferred),
        ("SweepErrors", summary.errors),
        ("RegionsWithoutTrail", sum(1 for t in report.cloudtrail if t.logging is False)),
    ):
        count(metrics, name, value=value)
    logger.info(
        "sweep finished",
        extra={
            "summary": summary.model_dump(),
            "regions": list(regions),
            "parts": published,  # the notices sent (none without a topic)
            "published": runtime.notifier is not None,
        },
    )
    return report


def _export_to_security_hub(
    runtime: Runtime,
    report: ComplianceReport,
    policy: Policy,
    account: str,
    regions: Iterable[str],
) -> None:
    # Every swept region, endpoints or not: the findings of its last deleted endpoint are
    # archived too. A region whose sweep failed as a whole is not judged.
    for region in dict.fromkeys(regions):
        hub = runtime.security_hub_in(account, region, home_account=account)
        if hub is None:
            return
        verdicts = [endpoint for endpoint in report.endpoints if endpoint.region == region]
        whole = listed_whole(report.errors, region)
        export = partial(
            export_region,
            hub,
            runtime.client_vpn(region),
            verdicts,
            account=account,
            region=region,
            policy=policy,
            whole_region=whole,
        )
        export_or_log(export, logger=logger, metrics=metrics)


def sweep_summary(report: ComplianceReport) -> dict[str, Any]:
    """What the Lambda returns: the counts (the full report went to SNS)."""
    return {
        "summary": report.summary.model_dump(),
        "errors": [e.model_dump() for e in report.errors],
    }


FINISH_OVERDUE_EVENT = {"cvpn-guard": "finish-overdue-sweeps"}
"""What the deadline timer sends (template.yaml, SweepDeadlineTimer): merge what is due, no
new sweep."""


def _is(event: Any, sent: dict[str, str]) -> bool:
    """Whether ``event`` is what one of the stack's own schedules sends (``sent``); the daily
    schedule's event carries no ``cvpn-guard`` key."""
    return isinstance(event, dict) and event.get("cvpn-guard") == sent["cvpn-guard"]


def sweep_or_fan_out(event: Any, *, runtime: Runtime, account: str) -> dict[str, Any]:
    """Sweep (single account), or in organization mode enqueue the organization's targets
    (or, on the deadline timer's event, only merge the runs that are due; on the window
    tick's, sweep only when a maintenance window has deferred fixes to apply)."""
    if _is(event, WINDOW_TICK_EVENT):
        return window_tick(runtime=runtime, account=account)
    if runtime.settings.sweep_queue_url:
        if _is(event, FINISH_OVERDUE_EVENT):
            return finish_overdue(runtime=runtime)
        return fan_out(runtime=runtime, account=account)
    return sweep_summary(run_sweep(runtime=runtime, account=account))


def _finish(runtime: Runtime, policy: Policy, *, new_sweep: bool) -> FinishedRuns:
    """Merge the open runs that are due; a failure is logged and counted, never fatal to the
    sweep that starts next (the run stays open and the next pass tries again)."""
    try:
        finished = finish_overdue_runs(
            sweep_runs(runtime),
            policy=policy,
            publish=partial(publish_report, runtime.notifier),
            new_sweep=new_sweep,
        )
    except AwsCallError as unreadable:  # the list of open runs could not be read
        finished = FinishedRuns(failed=[("(open runs)", unreadable)])
    for run_id, failure in finished.failed:
        # The alarm on unmerged runs (template.yaml, UnmergedSweepRunsAlarm) watches this too.
        count(metrics, "SweepRunFinishFailed", dimension=("code", failure.code))
        logger.error(
            "could not merge an overdue organization sweep (the next pass tries again)",
            extra={
                "run_id": run_id,
                "operation": failure.operation,
                "code": failure.code,
                "error": failure.message,
            },
        )
    for report in finished.merged:
        # The alarm on unmerged runs (template.yaml, UnmergedSweepRunsAlarm) watches this.
        count(metrics, "SweepRunOverdue")
        logger.warning(
            "organization sweep merged at its deadline: some targets never reported",
            extra={
                "run_id": report.source.event_id,
                "not_swept": report.summary.not_swept,
                "summary": report.summary.model_dump(),
            },
        )
    return finished


def window_tick(*, runtime: Runtime, account: str, now: datetime | None = None) -> dict[str, Any]:
    """The window tick's pass (cvpn_guard.sweeper.window_tick): usually nothing at all."""
    policy = _policy(runtime, "no deferred fix applied")

    def sweep_now() -> ComplianceReport | None:
        if runtime.settings.sweep_queue_url:
            fan_out(runtime=runtime, account=account, policy=policy)
            return None  # the workers apply the fixes; their run reports when merged
        return run_sweep(runtime=runtime, account=account, policy=policy)

    result = tick(policy, now or datetime.now(UTC), runtime.state, sweep_now)
    count(metrics, "WindowTicks", dimension=("outcome", str(result["window_tick"])))
    logger.info("maintenance window tick", extra=result)
    return result


def finish_overdue(*, runtime: Runtime) -> dict[str, Any]:
    """The deadline timer's pass: merge the runs past their deadline."""
    policy = _policy(runtime, "nothing merged")
    finished = _finish(runtime, policy, new_sweep=False)
    return {
        "merged_runs": [report.source.event_id for report in finished.merged],
        "open_runs": finished.waiting,
    }


def fan_out(*, runtime: Runtime, account: str, policy: Policy | None = None) -> dict[str, Any]:
    """Enqueue every account x region for the sweep workers; sweep nothing here (one Lambda
    looping over hundreds of accounts would outlast its 15 minutes).

    The runs a new sweep supersedes are merged first; a sweep that finds no account to sweep
    publishes a report that says so (an error entry), and counts it.
    """
    regions = runtime.settings.regions_to_sweep
    if not regions:
        raise ConfigurationError("no region to sweep: set SWEEP_REGIONS or AWS_REGION")
    policy = policy or _policy(runtime, "nothing swept")
    finished = _finish(runtime, policy, new_sweep=True)
    scope = organization_accounts(runtime, home_account=account)
    started = datetime.now(UTC)
    if not scope.accounts:
        return _nothing_to_sweep(runtime, policy, scope, regions)
    minutes = runtime.settings.sweep_deadline_minutes
    plan = plan_run(
        f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        scope.accounts,
        regions,
        started_at=int(started.timestamp()),
        deadline=int(started.timestamp()) + minutes * 60 if minutes else None,
        not_swept=scope.not_swept,
    )
    items = start_org_sweep(plan, runs=sweep_runs(runtime), queue=sweep_queue(runtime))
    count(metrics, "WorkItemsQueued", value=len(items))
    logger.info(
        "organization sweep queued",
        extra={
            "run_id": plan.run_id,
            "accounts": len(scope.accounts),
            "listed_by": scope.listed_by,
            "regions": list(regions),
            "not_swept": [entry.model_dump() for entry in scope.not_swept],
            "deadline": plan.deadline,
            "overdue_runs_merged": len(finished.merged),
        },
    )
    return {
        "run_id": plan.run_id,
        "accounts": len(scope.accounts),
        "work_items": len(items),
        "overdue_runs_merged": [report.source.event_id for report in finished.merged],
    }


def _nothing_to_sweep(
    runtime: Runtime, policy: Policy, scope: SweepScope, regions: tuple[str, ...]
) -> dict[str, Any]:
    # SWEEP_ACCOUNTS, when set, always names an account: only ListAccounts can leave none.
    why = (
        "Organizations ListAccounts listed no ACTIVE account the sweep can enter"
        + (" (see not_swept)" if scope.not_swept else "")
        + ": check that the stack runs in the management account or a delegated "
        "administrator account, or list the accounts to sweep in SweepAccounts"
    )
    report = build_report(
        policy=policy,
        source=ReportSource(kind="sweeper", regions=regions),
        endpoints=[],
        errors=[ReportError(code="NoAccountToSweep", message=why)],
        not_swept=scope.not_swept,
    )
    publish_report(runtime.notifier, report)
    count(metrics, "NoAccountToSweep")
    logger.error("organization sweep found no account to sweep", extra={"reason": why})
    return {"run_id": None, "accounts": 0, "work_items": 0, "error": why}
