"""The sweeper's invocation: sweep the configured regions, publish the report, count."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard import arns
from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.observability import NAMESPACE, count, load_policy_or_alarm
from cvpn_guard.report import ComplianceReport, ReportSource, report_notices
from cvpn_guard.runtime import Runtime
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


def sweep_summary(report: ComplianceReport) -> dict[str, Any]:
    """What the Lambda returns: the counts (the full report went to SNS)."""
    return {
        "summary": report.summary.model_dump(),
        "errors": [e.model_dump() for e in report.errors],
    }
