"""A worker's part of an org sweep: sweep one account in one region, merge when last."""

from __future__ import annotations

from collections.abc import Callable

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import SweepRuns, WorkItem, decode_result, encode_result
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort, EndpointLocks
from cvpn_guard.report import ComplianceReport, ReportError, ReportSource, build_report
from cvpn_guard.sweep import RegionSweep, sweep_region

ApiFor = Callable[[str, str], ClientVpnPort]
"""(account, region) -> Client VPN operations there (assumes the member role when needed)."""


def sweep_target(
    item: WorkItem, api_for: ApiFor, policy: Policy, *, locks: EndpointLocks
) -> RegionSweep:
    """Sweep one target; an account we cannot enter (no member role yet) is an error entry of
    the report, never a failed sweep."""
    try:
        api = api_for(item.account, item.region)
    except AwsCallError as error:
        return RegionSweep(
            item.region,
            errors=[
                ReportError(
                    account=item.account,
                    region=item.region,
                    code=error.code,
                    message=f"{error.operation}: {error.message}",
                )
            ],
        )
    return sweep_region(api, policy, account=item.account, region=item.region, locks=locks)


def complete_target(
    item: WorkItem, result: RegionSweep, *, runs: SweepRuns, policy: Policy
) -> ComplianceReport | None:
    """Save ``result`` and count the target; the worker that claims the merge once every
    target is counted gets the organization report (the others get None).

    A redelivered item overwrites its result and is not counted again; an item whose first
    invocation died after saving is counted when it comes back.
    """
    runs.save_result(item.run_id, item.target, encode_result(result))
    if not runs.count_down(item.run_id, item.target):
        return None
    if not runs.claim_merge(item.run_id):
        return None
    return merge(item.run_id, runs=runs, policy=policy)


def merge(run_id: str, *, runs: SweepRuns, policy: Policy) -> ComplianceReport:
    """One organization report from every target's result."""
    targets = runs.targets(run_id)
    results: list[RegionSweep] = []
    for account, region in targets:
        data = runs.result(run_id, (account, region))
        if data is None:
            error = ReportError(
                account=account, region=region, code="NoResult", message="the worker never reported"
            )
            results.append(RegionSweep(region, errors=[error]))
        else:
            results.append(decode_result(region, data))
    return build_report(
        policy=policy,
        source=ReportSource(
            kind="sweeper",
            event_id=run_id,
            regions=tuple(dict.fromkeys(region for _, region in targets)),
        ),
        endpoints=[endpoint for result in results for endpoint in result.endpoints],
        errors=[error for result in results for error in result.errors],
    )
