"""Send verdicts to Security Hub when SECURITY_HUB is on (the enforcer and the sweeps).

Each export reads cvpn-guard's findings in its scope first (GetFindings): what Security Hub
holds decides each finding's CreatedAt, which workflow changes to make and which findings to
archive (``cvpn_guard.security_hub.lifecycle``). The enforcer's scope is its one endpoint;
a sweep's is the whole region, and only a sweep that listed the region completely archives
the findings of endpoints that are gone.

A failed import never fails the enforcement it describes: the endpoint is already fixed, and
a retry of the event would run the enforcement again. It is logged and counted instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Protocol

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.arns import partition_of
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.observability import count
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort
from cvpn_guard.report import EndpointReport, ReportError
from cvpn_guard.security_hub.findings import ACTIVE, asff_findings
from cvpn_guard.security_hub.lifecycle import (
    BatchResult,
    ExportPlan,
    ExportResult,
    Identifier,
    StoredFinding,
    finding_filters,
    plan_export,
)

LOGGED_REFUSALS = 50
"""Findings named in one log line at most (the count is always whole)."""

NOT_SUBSCRIBED = "InvalidAccessException"
"""GetFindings' code where Security Hub is not enabled (or the caller may not use it)."""


class FindingsPort(Protocol):
    """``cvpn_guard.aws.security_hub.SecurityHubFindings``."""

    def findings(self, filters: Mapping[str, Any]) -> Iterable[StoredFinding]: ...

    def import_findings(self, findings: Sequence[Mapping[str, Any]]) -> BatchResult: ...

    def set_workflow(self, status: str, identifiers: Sequence[Identifier]) -> BatchResult: ...


def rules_checked(policy: Policy) -> list[str]:
    """The policy's active rules: each gets a finding, passed or failed."""
    return [config.rule_id for config in policy.rules.active()]


def _verdicts(
    reports: Iterable[EndpointReport],
    endpoints: Mapping[str, Mapping[str, Any]],
    policy: Policy,
    now: datetime,
) -> list[dict[str, Any]]:
    checked = rules_checked(policy)
    return [
        finding
        for report in reports
        for finding in asff_findings(
            report,
            rules_checked=checked,
            endpoint=endpoints.get(report.endpoint_id),
            partition=partition_of(report.region),
            now=now,
        )
    ]


def execute_plan(hub: FindingsPort, plan: ExportPlan) -> ExportResult:
    """Make the plan's calls in its order. A workflow change after the import is not made
    for a finding the import missed: its stored state is not what the plan was made from."""
    reopened = [hub.set_workflow(change.status, change.identifiers) for change in plan.reopen]
    imported = hub.import_findings(plan.imports) if plan.imports else BatchResult()
    missed = imported.missed
    settled = [
        hub.set_workflow(
            change.status, [finding for finding in change.identifiers if finding[0] not in missed]
        )
        for change in plan.settle
    ]
    results = [*reopened, imported, *settled]
    return ExportResult(
        imported=imported.taken,
        archived=sum(1 for finding in plan.archived if finding not in missed),
        reopened=sum(result.taken for result in reopened),
        refused=tuple(refused for result in results for refused in result.refused),
        failures=tuple(failure for result in results for failure in result.failures),
    )


def export_endpoint(
    hub: FindingsPort,
    report: EndpointReport,
    *,
    endpoint: Mapping[str, Any] | None,
    policy: Policy,
    now: datetime | None = None,
) -> ExportResult:
    """Export one endpoint's verdict (the enforcer): its findings of rules no longer in the
    policy are archived; other endpoints' findings are not touched."""
    moment = now or datetime.now(UTC)
    details = {report.endpoint_id: endpoint} if endpoint else {}
    verdicts = _verdicts([report], details, policy, moment)
    filters = finding_filters(
        partition=partition_of(report.region),
        account=report.account,
        region=report.region,
        endpoint_id=report.endpoint_id,
    )
    plan = plan_export(
        verdicts,
        _stored(hub, filters, verdicts),
        judged=frozenset({report.endpoint_id}),
        present=None,
        now=moment,
    )
    return execute_plan(hub, plan)


def listed_whole(errors: Iterable[ReportError], region: str) -> bool:
    """Whether a sweep listed ``region`` to the end: no error stands for the region as a whole
    (an endpoint's error leaves the listing complete)."""
    return not any(error.region == region and error.endpoint_id is None for error in errors)


def export_region(
    hub: FindingsPort,
    api: ClientVpnPort,
    reports: Sequence[EndpointReport],
    *,
    account: str,
    region: str,
    policy: Policy,
    whole_region: bool,
    now: datetime | None = None,
) -> ExportResult:
    """Export a region's verdicts (a sweep) and archive what no longer applies.

    ``whole_region``: the sweep listed the region to the end. Only then are the findings of
    endpoints that are gone archived; the endpoints come from one more listing of the region
    (a call per 200 endpoints, not a describe per endpoint), which also gives the findings'
    resource details.
    """
    if not reports and not whole_region:
        return ExportResult()  # the region could not be swept: nothing to say about it
    moment = now or datetime.now(UTC)
    filters = finding_filters(partition=partition_of(region), account=account, region=region)
    endpoints = _listed(api) if reports else {}
    verdicts = _verdicts(reports, endpoints, policy, moment)
    try:
        stored = _stored(hub, filters, verdicts)
    except AwsCallError as error:
        if not reports and error.code == NOT_SUBSCRIBED:
            # Security Hub off in a region without endpoints: nothing to export or archive.
            return ExportResult()
        raise
    judged = frozenset(report.endpoint_id for report in reports)
    unjudged = any(
        finding.record_state == ACTIVE
        and finding.endpoint_id is not None
        and finding.endpoint_id not in judged
        for finding in stored
    )
    if not reports and whole_region and unjudged:
        endpoints = _listed(api)  # findings are left, endpoints maybe not: which still exist?
    plan = plan_export(
        verdicts,
        stored,
        judged=judged,
        present=frozenset(endpoints) if whole_region else None,
        now=moment,
    )
    return execute_plan(hub, plan)


def _listed(api: ClientVpnPort) -> dict[str, Mapping[str, Any]]:
    return {
        str(endpoint["ClientVpnEndpointId"]): endpoint
        for page in api.endpoint_pages()
        for endpoint in page
    }


def _stored(
    hub: FindingsPort, filters: Mapping[str, Any], verdicts: Sequence[Mapping[str, Any]]
) -> list[StoredFinding]:
    """The findings in scope, held whole only where the plan may archive them (active, and no
    verdict of this run): a region's findings would not fit in the function's memory."""
    produced = {str(verdict["Id"]) for verdict in verdicts}
    return [
        finding if finding.record_state == ACTIVE and finding.id not in produced else finding.slim()
        for finding in hub.findings(filters)
    ]


def export_or_log(
    export: Callable[[], ExportResult], *, logger: Logger, metrics: Metrics
) -> ExportResult | None:
    """Run ``export``; count and log what Security Hub took and did not take, and a failure
    of the export as a whole (its read), without raising."""
    try:
        result = export()
    except AwsCallError as error:
        count(metrics, "SecurityHubFailed", dimension=("code", error.code))
        logger.error(
            "Security Hub export failed (the verdicts are in the report; the next run retries)",
            extra={"operation": error.operation, "code": error.code, "error": error.message},
        )
        return None
    count(metrics, "SecurityHubFindings", value=result.imported)
    if result.archived:
        count(metrics, "SecurityHubFindingsArchived", value=result.archived)
    for code, refused in Counter(refused.code for refused in result.refused).items():
        count(metrics, "SecurityHubFindingsFailed", dimension=("code", code), value=refused)
    if result.refused:
        logger.warning(
            "Security Hub did not take some findings (the next run sends them again)",
            extra={
                "refused": len(result.refused),
                "findings": [asdict(refused) for refused in result.refused[:LOGGED_REFUSALS]],
            },
        )
    for failure in result.failures:
        count(metrics, "SecurityHubFailed", dimension=("code", failure.code))
        logger.error(
            "a Security Hub request failed; the other requests were made",
            extra={
                "operation": failure.operation,
                "code": failure.code,
                "error": failure.message,
                "findings": len(failure.finding_ids),
                "finding_ids": list(failure.finding_ids[:LOGGED_REFUSALS]),
            },
        )
    return result
