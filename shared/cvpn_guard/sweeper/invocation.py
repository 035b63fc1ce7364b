"""The sweeper's invocation: sweep the configured regions, publish the report, count."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard import arns
from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.observability import NAMESPACE, count, load_policy_or_alarm
from cvpn_guard.org_sweep.fan_out import start_org_sweep
from cvpn_guard.policy import Policy
from cvpn_guard.report import ComplianceReport, ReportSource, report_notices
from cvpn_guard.runtime import Runtime, organization_accounts, sweep_queue, sweep_runs
from cvpn_guard.security_hub_export import export_or_log, export_region
from cvpn_guard.sweep import sweep

SERVICE = "cvpn-guard-sweeper"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def account_of(function_arn: str) -> str:
    """The account id inside the sweeper's function ARN (``unknown`` when it has none)."""
    return arns.account_of(function_arn) or "unknown"


def run_sweep(*, runtime: Runtime, account: str) -> ComplianceReport:
    """Sweep every configured region, publish the report, and return it."""
    regions = runtime.settings.regions_to_sweep
    if not regions:
        raise ConfigurationError("no region to sweep: set SWEEP_REGIONS or AWS_REGION")
    policy = load_policy_or_alarm(
        runtime.policy_store, logger=logger, metrics=metrics, consequence="nothing swept"
    )
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
    notifier = runtime.notifier
    notices = report_notices(report)
    if notifier is not None:
        for notice in notices:
            notifier.publish(notice)
    summary = report.summary
    for name, value in (
        ("Evaluated", summary.endpoints),
        ("NonCompliant", summary.non_compliant),
        ("Remediated", summary.remediated),
        ("RemediationFailed", summary.remediation_failed),
        ("SweepErrors", summary.errors),
        ("RegionsWithoutTrail", sum(1 for t in report.cloudtrail if t.logging is False)),
    ):
        count(metrics, name, value=value)
    logger.info(
        "sweep finished",
        extra={
            "summary": summary.model_dump(),
            "regions": list(regions),
            "parts": len(notices),
            "published": notifier is not None,
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
        whole = not any(e.region == region and e.endpoint_id is None for e in report.errors)
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


def sweep_or_fan_out(*, runtime: Runtime, account: str) -> dict[str, Any]:
    """Sweep (single account), or in organization mode enqueue the organization's targets."""
    if runtime.settings.sweep_queue_url:
        return fan_out(runtime=runtime)
    return sweep_summary(run_sweep(runtime=runtime, account=account))


def fan_out(*, runtime: Runtime) -> dict[str, Any]:
    """Enqueue every account x region for the sweep workers; sweep nothing here (one Lambda
    looping over hundreds of accounts would outlast its 15 minutes)."""
    regions = runtime.settings.regions_to_sweep
    if not regions:
        raise ConfigurationError("no region to sweep: set SWEEP_REGIONS or AWS_REGION")
    accounts = organization_accounts(runtime)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    items = start_org_sweep(
        run_id, accounts, regions, runs=sweep_runs(runtime), queue=sweep_queue(runtime)
    )
    count(metrics, "WorkItemsQueued", value=len(items))
    logger.info(
        "organization sweep queued",
        extra={"run_id": run_id, "accounts": len(accounts), "regions": list(regions)},
    )
    return {"run_id": run_id, "accounts": len(accounts), "work_items": len(items)}
