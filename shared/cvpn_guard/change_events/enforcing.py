"""The enforcer's work on the endpoints an event names: guard each, export, log and count.

Imported by the invocation only for an event that names endpoints to enforce: it loads the
policy engine (the rules, the policy and report models, the guard), which a skipped event (the
enforcer's own modify, a read-only call, another account's change) never needs. Security Hub's
finding mapping is loaded only when SECURITY_HUB is on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cvpn_guard.change_events.handling import ChangeOutcome, RemediationFailed, handle_change
from cvpn_guard.change_events.telemetry import logger, metrics
from cvpn_guard.endpoint_guard import EndpointGuard, EnforcementResult
from cvpn_guard.exceptions import AwsCallError, CvpnGuardError
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.intake import EndpointChange
from cvpn_guard.observability import count, load_policy_or_alarm
from cvpn_guard.policy import Policy
from cvpn_guard.runtime import Runtime

if TYPE_CHECKING:
    from cvpn_guard.aws.ec2 import ClientVpnApi
    from cvpn_guard.security_hub.lifecycle import ExportResult

RESERVE_MS = 30_000
"""No further endpoint of a tag call is started with less time left than this: one endpoint
can take a describe, the settle re-reads, a modify, a verify and a notice; the endpoints not
reached are left to Lambda's retry (the ones done are duplicates by then)."""


class EventUnfinished(CvpnGuardError):
    """Time ran out before every endpoint of the event was handled: Lambda retries the event."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(
            f"handled {done} of the {total} endpoints of this event before the time reserve; "
            "Lambda's retry handles the rest"
        )
        self.done = done
        self.total = total


def enforce_changes(
    changes: Sequence[EndpointChange],
    *,
    runtime: Runtime,
    time_left_ms: Callable[[], int] | None,
    home_account: str | None,
) -> list[dict[str, Any]]:
    """Each change under its own lease and outbox key; one refused fix does not stop the
    others, and is raised once they are done so that Lambda keeps the event."""
    policy = load_policy_or_alarm(
        runtime.policy_store, logger=logger, metrics=metrics, consequence="nothing enforced"
    )
    summaries: list[dict[str, Any]] = []
    failures: list[RemediationFailed] = []
    for done, change in enumerate(changes):
        if done and time_left_ms is not None and time_left_ms() < RESERVE_MS:
            count(metrics, "EventUnfinished")
            logger.warning(
                "time reserve reached: Lambda will retry the event",
                extra={"done": done, "endpoints": len(changes)},
            )
            raise EventUnfinished(done, len(changes))
        try:
            summaries.append(
                _enforce_one(change, runtime=runtime, policy=policy, home_account=home_account)
            )
        except RemediationFailed as failure:
            failures.append(failure)
    if failures:
        raise failures[0]
    return summaries


def _enforce_one(
    change: EndpointChange, *, runtime: Runtime, policy: Policy, home_account: str | None
) -> dict[str, Any]:
    try:
        # In organization mode this assumes the member role: its failure (no role in that
        # account yet) is an AWS call failure like any other, logged, counted and retried.
        api = runtime.client_vpn_in(change.account, change.region, home_account=home_account)
        guard = EndpointGuard(api, policy, account=change.account, region=change.region)
        outcome = handle_change(
            change,
            guard=guard,
            policy=policy,
            notifier=runtime.notifier,
            locks=runtime.state,
            outbox=runtime.state,
        )
    except RemediationFailed as failure:
        # A retry of an already reported failure is counted apart, so RemediationFailed
        # counts failures, not Lambda's attempts.
        count(metrics, "FailedEventRetried" if failure.already_reported else "RemediationFailed")
        logger.error(
            "remediation failed",
            extra={
                "endpoint_id": change.endpoint_id,
                "error": failure.error,
                "already_reported": failure.already_reported,
            },
        )
        raise
    except AwsCallError as error:
        count(metrics, "AwsCallFailed", dimension=("code", error.code))
        logger.error(
            "AWS call failed after retries: Lambda will retry the event",
            extra={
                "endpoint_id": change.endpoint_id,
                "operation": error.operation,
                "code": error.code,
                "error": error.message,
            },
        )
        raise
    if outcome.result is not None:
        _export_to_security_hub(
            runtime, change, outcome.result, api=api, policy=policy, home_account=home_account
        )
    return _summarize(outcome, change.endpoint_id)


def _export_to_security_hub(
    runtime: Runtime,
    change: EndpointChange,
    result: EnforcementResult,
    *,
    api: ClientVpnApi,
    policy: Policy,
    home_account: str | None,
) -> None:
    if not runtime.settings.security_hub:
        return
    # Only with SECURITY_HUB on: the finding mapping is no part of a default cold start.
    from cvpn_guard.security_hub.export import export_endpoint, export_or_log
    from cvpn_guard.security_hub.lifecycle import ExportResult

    def export() -> ExportResult:
        # Inside the guard: reaching a member's Security Hub may need a fresh AssumeRole.
        hub = runtime.security_hub_in(change.account, change.region, home_account=home_account)
        if hub is None:
            return ExportResult()
        # The state after the fix: what the finding's resource details should show.
        endpoint = api.describe_endpoint(change.endpoint_id)
        return export_endpoint(hub, result.report, endpoint=endpoint, policy=policy)

    export_or_log(export, logger=logger, metrics=metrics)


def _summarize(outcome: ChangeOutcome, endpoint_id: str) -> dict[str, Any]:
    result = outcome.result
    if result is None:
        logger.info(
            "nothing to enforce",
            extra={
                "endpoint_id": endpoint_id,
                "outcome": outcome.kind,
                "notified": outcome.notified,
            },
        )
        count(metrics, "Skipped", dimension=("reason", outcome.kind))
        return {"status": outcome.kind, "endpoint_id": endpoint_id, "notified": outcome.notified}
    report = result.report
    count(metrics, "Evaluated")
    for finding in report.findings:
        count(metrics, "Violations", dimension=("rule", finding.rule))
    if report.status is EndpointStatus.REMEDIATED:
        count(metrics, "Remediated")
    if report.status is EndpointStatus.DEFERRED:
        count(metrics, "Deferred")  # a disruptive fix waits for its maintenance window
    # A compliant endpoint is not notified: a rule left unchecked (a read AWS refused, say)
    # must still show somewhere an operator looks.
    for unevaluated in report.unevaluated:
        count(metrics, "NotEvaluated", dimension=("rule", unevaluated.rule))
    logger.info(
        "endpoint enforced",
        extra={
            "endpoint_id": report.endpoint_id,
            "status": str(report.status),
            "rules": [f.rule for f in report.findings],
            "fixed_rules": list(report.fixed_rules),
            "unevaluated": {u.rule: u.reason for u in report.unevaluated},
            "users_affected": report.users_affected,
            "users_not_counted": report.users_not_counted,
            "notified": outcome.notified,
        },
    )
    return {
        "status": str(report.status),
        "endpoint_id": report.endpoint_id,
        "rules": [f.rule for f in report.findings],
        "fixed_rules": list(report.fixed_rules),
        "notified": outcome.notified,
    }
