"""Send verdicts to Security Hub when SECURITY_HUB is on (the enforcer and the sweep worker).

A failed import never fails the enforcement it describes: the endpoint is already fixed, and
a retry of the event would run the enforcement again. It is logged and counted instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.arns import partition_of
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.observability import count
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort
from cvpn_guard.report import EndpointReport
from cvpn_guard.security_hub import asff_findings


class FindingsPort(Protocol):
    """``cvpn_guard.aws.security_hub.SecurityHubFindings``."""

    def publish(self, findings: Sequence[Mapping[str, Any]]) -> None: ...


def rules_checked(policy: Policy) -> list[str]:
    """The policy's active rules: each gets a finding, passed or failed."""
    return [config.rule_id for config in policy.rules.active()]


def export_reports(
    hub: FindingsPort,
    reports: Iterable[EndpointReport],
    *,
    endpoints: Mapping[str, Mapping[str, Any]],
    policy: Policy,
    now: datetime | None = None,
) -> int:
    """Import one finding per endpoint and rule; returns how many were sent."""
    moment = now or datetime.now(UTC)
    checked = rules_checked(policy)
    findings = [
        finding
        for report in reports
        for finding in asff_findings(
            report,
            rules_checked=checked,
            endpoint=endpoints.get(report.endpoint_id),
            partition=partition_of(report.region),
            now=moment,
        )
    ]
    if findings:
        hub.publish(findings)
    return len(findings)


def export_region(
    hub: FindingsPort, api: ClientVpnPort, reports: Sequence[EndpointReport], *, policy: Policy
) -> int:
    """Export a region's verdicts; the details come from one more listing of the region (a
    call per 200 endpoints), not from a describe per endpoint."""
    if not reports:
        return 0
    endpoints = {
        str(endpoint["ClientVpnEndpointId"]): endpoint
        for page in api.endpoint_pages()
        for endpoint in page
    }
    return export_reports(hub, reports, endpoints=endpoints, policy=policy)


def export_or_log(export: Callable[[], int], *, logger: Logger, metrics: Metrics) -> None:
    """Run ``export``; count what it sent, or log and count its failure without raising."""
    try:
        sent = export()
    except AwsCallError as error:
        count(metrics, "SecurityHubFailed", dimension=("code", error.code))
        logger.error(
            "Security Hub import failed (the verdicts are in the report; the next run retries)",
            extra={"operation": error.operation, "code": error.code, "error": error.message},
        )
        return
    count(metrics, "SecurityHubFindings", value=sent)
