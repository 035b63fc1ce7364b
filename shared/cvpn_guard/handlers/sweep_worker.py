"""The sweep worker's invocation: sweep each SQS record's target; the last one merges.

The worker's Logger and Metrics live here, where they are used (as for the other functions).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.observability import NAMESPACE, count, load_policy_or_alarm
from cvpn_guard.org_sweep.work import MalformedWorkItem, RunGone, WorkItem
from cvpn_guard.org_sweep.worker import complete_target, sweep_target
from cvpn_guard.policy import Policy
from cvpn_guard.ports import ClientVpnPort, TrailPort
from cvpn_guard.report import publish_report
from cvpn_guard.runtime import Runtime, sweep_runs
from cvpn_guard.security_hub.export import export_or_log, export_region, listed_whole
from cvpn_guard.security_hub.lifecycle import ExportResult
from cvpn_guard.sweep import RegionSweep

SERVICE = "cvpn-guard-sweep-worker"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def process_work(event: Any, *, runtime: Runtime, home_account: str | None) -> dict[str, Any]:
    """Sweep the SQS records' targets; the last of a run publishes the organization report.

    A failure of the run's state or of the publish raises: SQS delivers the item again and the
    worker carries on where it failed (``org_sweep.worker``). A message that is not a work
    item, or one whose run the state table no longer holds, is logged and counted, not retried
    (it would fail the same way every time).
    """
    policy = load_policy_or_alarm(
        runtime.policy_store, logger=logger, metrics=metrics, consequence="nothing swept"
    )

    def api_for(account: str, region: str) -> ClientVpnPort:
        return runtime.client_vpn_in(account, region, home_account=home_account)

    def trails_for(account: str, region: str) -> TrailPort:
        return runtime.cloudtrail_in(account, region, home_account=home_account)

    runs = sweep_runs(runtime)
    merged: list[str] = []
    records = event.get("Records", []) if isinstance(event, dict) else []
    for record in records:
        try:
            item = WorkItem.from_message(str(record.get("body")))
        except MalformedWorkItem as error:
            count(metrics, "MalformedWorkItem")
            logger.error(
                "not a sweep work item: dropped",
                extra={"message_id": record.get("messageId"), "error": str(error)},
            )
            continue
        result = sweep_target(item, api_for, policy, locks=runtime.state, trails_for=trails_for)
        count(metrics, "Evaluated", value=len(result.endpoints))
        count(metrics, "SweepErrors", value=len(result.errors))
        logger.info(
            "target swept",
            extra={
                "run_id": item.run_id,
                "account": item.account,
                "region": item.region,
                "endpoints": len(result.endpoints),
                "errors": [e.model_dump() for e in result.errors],
            },
        )
        if runtime.settings.security_hub:
            export = partial(
                _export_target,
                runtime,
                item,
                result,
                api_for=api_for,
                policy=policy,
                home_account=home_account,
            )
            export_or_log(export, logger=logger, metrics=metrics)
        try:
            report = complete_target(
                item,
                result,
                runs=runs,
                policy=policy,
                publish=partial(publish_report, runtime.notifier),
            )
        except RunGone as gone:
            count(metrics, "SweepRunGone")
            logger.warning(
                "the run is no longer in the state table (expired, or merged long ago): the "
                "target was swept and fixed, but is in no report",
                extra={"run_id": item.run_id, "error": str(gone)},
            )
            continue
        if report is None:
            continue
        merged.append(item.run_id)
        logger.info(
            "organization sweep merged",
            extra={"run_id": item.run_id, "summary": report.summary.model_dump()},
        )
    return {"work_items": len(records), "merged_runs": merged}


def _export_target(
    runtime: Runtime,
    item: WorkItem,
    result: RegionSweep,
    *,
    api_for: Callable[[str, str], ClientVpnPort],
    policy: Policy,
    home_account: str | None,
) -> ExportResult:
    # A target whose sweep failed as a whole (no role, no access) is not judged.
    whole = listed_whole(result.errors, item.region)
    if not result.endpoints and not whole:
        return ExportResult()
    hub = runtime.security_hub_in(item.account, item.region, home_account=home_account)
    if hub is None:
        return ExportResult()
    api = api_for(item.account, item.region)
    return export_region(
        hub,
        api,
        result.endpoints,
        account=item.account,
        region=item.region,
        policy=policy,
        whole_region=whole,
    )
