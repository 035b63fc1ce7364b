"""Sweep: every endpoint of every configured region, evaluated and (in enforce mode) fixed.

Regions run concurrently; a region that fails (no access, throttled after retries) becomes
an error entry in the report and never stops the others. Endpoints are streamed page by page
from the paginator: memory holds one page plus the per-endpoint verdicts, never the estate.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cvpn_guard.endpoint_guard import (
    Approval,
    EndpointGuard,
    EndpointUnavailable,
    EnforcementResult,
    Proposal,
    name_tag,
)
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort, EndpointLocks, TrailPort
from cvpn_guard.report import (
    ComplianceReport,
    EndpointReport,
    RegionTrail,
    ReportError,
    ReportSource,
    build_report,
)

Progress = Callable[[str, int], None]
"""Called with (region, endpoints done so far in that region) after each endpoint."""
Proposals = Callable[[Proposal], None]
"""Called with what a remediation would do to each endpoint, when the sweep only plans."""
ENDPOINT_NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"

MAX_REGION_WORKERS = 8


@dataclass
class RegionSweep:
    """The verdicts and errors of one region (and, in an org sweep, its CloudTrail state)."""

    region: str
    endpoints: list[EndpointReport] = field(default_factory=list)
    errors: list[ReportError] = field(default_factory=list)
    cloudtrail: list[RegionTrail] = field(default_factory=list)


def _check_one(
    guard: EndpointGuard,
    item: dict[str, object],
    *,
    locks: EndpointLocks,
    lock_key: str,
    propose: Proposals | None = None,
) -> EnforcementResult | EndpointUnavailable:
    if propose is not None:
        proposal = guard.propose(item)
        if isinstance(proposal, EndpointUnavailable):
            return proposal
        propose(proposal)
        return proposal.result
    # Judge the page's item first: most endpoints are compliant and need no lease. In report
    # mode the plan is always empty, so the page's verdict is the answer.
    verdict = guard.assess(item)
    if isinstance(verdict, EndpointUnavailable) or verdict.plan.is_empty:
        return verdict
    # A fix is due: under the lease, describe again (the enforcer may just have fixed it).
    # A sweep outlives a lease: the guard renews it before each write.
    with locks.hold(lock_key) as lease:
        return guard.enforce(str(item.get("ClientVpnEndpointId")), lease=lease)


def _items(api: ClientVpnPort, endpoint_ids: Collection[str] | None) -> Iterator[Mapping[str, Any]]:
    """The Describe items of the region: every endpoint, page by page, or only those named
    (one Describe each; an id the region does not have is skipped)."""
    if endpoint_ids is None:
        for page in api.endpoint_pages():
            yield from page
        return
    for endpoint_id in endpoint_ids:
        item = api.describe_endpoint(endpoint_id)
        if item is not None:
            yield item


def sweep_region(
    api: ClientVpnPort,
    policy: Policy,
    *,
    account: str,
    region: str,
    locks: EndpointLocks,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ignore_windows: bool = False,
    endpoint_ids: Collection[str] | None = None,
    propose: Proposals | None = None,
    approve: Approval | None = None,
) -> RegionSweep:
    """Evaluate (and in enforce mode fix) every endpoint of one region.

    ``ignore_windows``: apply disruptive fixes outside the maintenance windows too (the CLI's
    ``--ignore-windows``). ``endpoint_ids``: only these endpoints (None: all). ``propose``:
    write nothing; hand each endpoint's plan to it instead (``scan --plan``). ``approve``:
    asked before each endpoint's fix is applied (see ``EndpointGuard``).
    """
    outcome = RegionSweep(region)
    guard = EndpointGuard(
        api,
        policy,
        account=account,
        region=region,
        clock=clock,
        ignore_windows=ignore_windows,
        approve=approve,
    )
    done = 0
    try:
        for item in _items(api, endpoint_ids):
            endpoint_id = str(item.get("ClientVpnEndpointId"))
            try:
                result = _check_one(
                    guard,
                    dict(item),
                    locks=locks,
                    lock_key=f"{account}/{region}/{endpoint_id}",
                    propose=propose,
                )
            except AwsCallError as error:
                outcome.errors.append(
                    ReportError(
                        account=account,
                        region=region,
                        endpoint_id=endpoint_id,
                        name=name_tag(item),
                        code=error.code,
                        message=error.message,
                        failed_call=error.operation,
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
            ReportError(
                account=account,
                region=region,
                code=error.code,
                message=error.message,
                failed_call=error.operation,
            )
        )
    return outcome


def region_trail(region: str, trails: TrailPort, *, account: str | None = None) -> RegionTrail:
    """Whether a CloudTrail trail logs ``region``'s API calls (never raises: unknown instead)."""
    try:
        found = trails.trails()
    except AwsCallError as error:
        return RegionTrail(
            region=region,
            account=account,
            logging=None,
            problem=f"{error.code}: {error.message}",
        )
    logging = tuple(trail.arn for trail in found if trail.logging)
    unknown = [f"{trail.arn}: {trail.problem}" for trail in found if trail.logging is None]
    return RegionTrail(
        region=region,
        account=account,
        logging=True if logging else (None if unknown else False),
        trails=logging,
        problem="; ".join(unknown) or None,
    )


def sweep(
    regions: Iterable[str],
    api_for: Callable[[str], ClientVpnPort],
    policy: Policy,
    *,
    account: str,
    locks: EndpointLocks,
    source: ReportSource,
    progress: Progress | None = None,
    trails_for: Callable[[str], TrailPort] | None = None,
    ignore_windows: bool = False,
    endpoint_ids: Collection[str] | None = None,
    propose: Proposals | None = None,
    approve: Approval | None = None,
) -> ComplianceReport:
    """Sweep ``regions`` concurrently and assemble one report.

    With ``trails_for``, the report also says per region whether a CloudTrail trail is
    logging there (without one, the enforcer never hears of a change). ``endpoint_ids``,
    ``propose`` and ``approve``: see ``sweep_region``; a named endpoint that no region has
    is an error of the report.
    """
    region_list = list(dict.fromkeys(regions))

    def run(region: str) -> RegionSweep:
        try:
            api = api_for(region)
        except AwsCallError as error:
            return RegionSweep(
                region,
                errors=[
                    ReportError(
                        account=account,
                        region=region,
                        code=error.code,
                        message=error.message,
                        failed_call=error.operation,
                    )
                ],
            )
        return sweep_region(
            api,
            policy,
            account=account,
            region=region,
            locks=locks,
            progress=progress,
            ignore_windows=ignore_windows,
            endpoint_ids=endpoint_ids,
            propose=propose,
            approve=approve,
        )

    def trail(region: str) -> RegionTrail:
        assert trails_for is not None
        return region_trail(region, trails_for(region), account=account)

    workers = max(1, min(MAX_REGION_WORKERS, len(region_list)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
        trail_checks = list(pool.map(trail, region_list)) if trails_for else []
        results = list(pool.map(run, region_list))
    errors = [error for result in results for error in result.errors]
    if endpoint_ids is not None:
        errors += _not_found(endpoint_ids, results, account=account)
    return build_report(
        policy=policy,
        source=source,
        endpoints=(endpoint for result in results for endpoint in result.endpoints),
        errors=errors,
        cloudtrail=trail_checks,
    )


def _not_found(
    endpoint_ids: Collection[str], results: Iterable[RegionSweep], *, account: str
) -> list[ReportError]:
    """An error for each named endpoint that no region had (a typo, or the wrong region).

    Nothing is said where a region failed: the endpoint may be there."""
    results = list(results)
    if any(error.endpoint_id is None for result in results for error in result.errors):
        return []
    seen = {endpoint.endpoint_id for result in results for endpoint in result.endpoints}
    seen |= {error.endpoint_id or "" for result in results for error in result.errors}
    regions = ", ".join(result.region for result in results)
    return [
        ReportError(
            account=account,
            endpoint_id=endpoint_id,
            code=ENDPOINT_NOT_FOUND,
            failed_call="DescribeClientVpnEndpoints",
            message=f"no Client VPN endpoint {endpoint_id} in {regions} (or it is being "
            "deleted): check the id, or add the --region it is in",
        )
        for endpoint_id in endpoint_ids
        if endpoint_id not in seen
    ]
