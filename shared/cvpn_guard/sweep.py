"""Sweep: every endpoint of every configured region, evaluated and (in enforce mode) fixed.

Regions run concurrently; a region that fails (no access, throttled after retries) becomes
an error entry in the report and never stops the others. Endpoints are streamed page by page
from the paginator: memory holds one page plus the per-endpoint verdicts, never the estate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cvpn_guard.enforcement import EndpointEnforcer, EndpointUnavailable, EnforcementResult
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.policy import Mode, Policy
from cvpn_guard.ports import ClientVpnPort, EndpointLocks
from cvpn_guard.report import (
    ComplianceReport,
    EndpointReport,
    ReportError,
    ReportSource,
    build_report,
)

Progress = Callable[[str, int], None]
"""Called with (region, endpoints done so far in that region) after each endpoint."""

MAX_REGION_WORKERS = 8


@dataclass
class RegionSweep:
    """The verdicts and errors of one region."""

    region: str
    endpoints: list[EndpointReport] = field(default_factory=list)
    errors: list[ReportError] = field(default_factory=list)


def _enforce_one(
    enforcer: EndpointEnforcer,
    report_only: EndpointEnforcer,
    item: dict[str, object],
    *,
    locks: EndpointLocks,
    lock_key: str,
    enforce: bool,
) -> EnforcementResult | EndpointUnavailable:
    endpoint_id = str(item.get("ClientVpnEndpointId"))
    # Judge the page's item first: most endpoints are compliant and need no lease.
    verdict = report_only.enforce(endpoint_id, described=item)
    # A report-mode evaluation never carries a plan: whether a fix is due shows in the
    # findings it would remediate. In report mode the page's verdict is the answer.
    if (
        not enforce
        or isinstance(verdict, EndpointUnavailable)
        or not any(finding.remediable for finding in verdict.evaluation.findings)
    ):
        return verdict
    # A fix is needed: under the lease, describe again (the enforcer may just have fixed it).
    with locks.hold(lock_key):
        return enforcer.enforce(endpoint_id)


def sweep_region(
    api: ClientVpnPort,
    policy: Policy,
    *,
    account: str,
    region: str,
    locks: EndpointLocks,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RegionSweep:
    """Evaluate (and in enforce mode fix) every endpoint of one region."""
    outcome = RegionSweep(region)
    enforcer = EndpointEnforcer(api, policy, account=account, region=region, clock=clock)
    report_only = EndpointEnforcer(
        api, policy.with_mode(Mode.REPORT), account=account, region=region, clock=clock
    )
    done = 0
    try:
        for page in api.endpoint_pages():
            for item in page:
                endpoint_id = str(item.get("ClientVpnEndpointId"))
                try:
                    result = _enforce_one(
                        enforcer,
                        report_only,
                        dict(item),
                        locks=locks,
                        lock_key=f"{account}/{region}/{endpoint_id}",
                        enforce=policy.mode is Mode.ENFORCE,
                    )
                except AwsCallError as error:
                    outcome.errors.append(
                        ReportError(
                            account=account,
                            region=region,
                            endpoint_id=endpoint_id,
                            code=error.code,
                            message=error.message,
                        )
                    )
                else:
                    if isinstance(result, EnforcementResult):
                        outcome.endpoints.append(result.report)
                done += 1
                if progress:
                    progress(region, done)
    except AwsCallError as error:
        outcome.errors.append(
            ReportError(account=account, region=region, code=error.code, message=error.message)
        )
    return outcome


def sweep(
    regions: Iterable[str],
    api_for: Callable[[str], ClientVpnPort],
    policy: Policy,
    *,
    account: str,
    locks: EndpointLocks,
    source: ReportSource,
    progress: Progress | None = None,
) -> ComplianceReport:
    """Sweep ``regions`` concurrently and assemble one report."""
    region_list = list(dict.fromkeys(regions))

    def run(region: str) -> RegionSweep:
        try:
            api = api_for(region)
        except AwsCallError as error:
            return RegionSweep(
                region,
                errors=[
                    ReportError(
                        account=account, region=region, code=error.code, message=error.message
                    )
                ],
            )
        return sweep_region(
            api, policy, account=account, region=region, locks=locks, progress=progress
        )

    workers = max(1, min(MAX_REGION_WORKERS, len(region_list)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
        results = list(pool.map(run, region_list))
    return build_report(
        policy=policy,
        source=source,
        endpoints=(endpoint for result in results for endpoint in result.endpoints),
        errors=[error for result in results for error in result.errors],
    )
