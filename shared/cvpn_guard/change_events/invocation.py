"""The enforcer function's invocation: classify the event, guard the endpoint, log and count.

The function's Logger and Metrics live here, at module level, where they are used: the
handler decorates with them and makes one call, and the use case (``handling``) stays free of
Powertools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.arns import account_of
from cvpn_guard.change_events.handling import ChangeOutcome, RemediationFailed, handle_change
from cvpn_guard.endpoint_guard import EndpointGuard, EnforcementResult
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.intake import EndpointChange, LoopGuard, Skip, classify_event
from cvpn_guard.observability import NAMESPACE, count, load_policy_or_alarm
from cvpn_guard.policy import Policy
from cvpn_guard.runtime import Runtime
from cvpn_guard.security_hub_export import export_or_log, export_reports

if TYPE_CHECKING:
    from cvpn_guard.aws.ec2 import ClientVpnApi

SERVICE = "cvpn-guard-enforcer"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def _loop_guard(runtime: Runtime, function_arn: str | None) -> LoopGuard:
    settings = runtime.settings
    return LoopGuard(
        function_name=settings.function_name,
        function_arn=function_arn,
        role_arns=frozenset(settings.loop_guard_role_arns),
        member_role_name=settings.member_role_name,
    )


def process_event(event: Any, *, runtime: Runtime, function_arn: str | None) -> dict[str, Any]:
    """Handle one EventBridge event end to end; returns a small summary of what happened."""
    home_account = account_of(function_arn)
    # In organization mode a member account's change is ours to enforce (through its role).
    intake = classify_event(
        event,
        _loop_guard(runtime, function_arn),
        own_account=None if runtime.settings.organization_mode else home_account,
    )
    if isinstance(intake, Skip):
        logger.info(
            "event skipped",
            extra={
                "reason": str(intake.reason),
                "detail": intake.detail,
                "event_id": intake.event_id,
                "event_name": intake.event_name,
            },
        )
        count(metrics, "Skipped", dimension=("reason", str(intake.reason)))
        return {"status": "skipped", "reason": str(intake.reason), "detail": intake.detail}
    logger.append_keys(endpoint_id=intake.endpoint_id, account=intake.account, region=intake.region)
    return _enforce(intake, runtime=runtime, home_account=home_account)


def _enforce(
    change: EndpointChange, *, runtime: Runtime, home_account: str | None
) -> dict[str, Any]:
    policy = load_policy_or_alarm(
        runtime.policy_store, logger=logger, metrics=metrics, consequence="nothing enforced"
    )
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
            extra={"error": failure.error, "already_reported": failure.already_reported},
        )
        raise
    except AwsCallError as error:
        count(metrics, "AwsCallFailed", dimension=("code", error.code))
        logger.error(
            "AWS call failed after retries: Lambda will retry the event",
            extra={"operation": error.operation, "code": error.code, "error": error.message},
        )
        raise
    if outcome.result is not None:
        _export_to_security_hub(
            runtime, change, outcome.result, api=api, policy=policy, home_account=home_account
        )
    return _summarize(outcome)


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

    def export() -> int:
        # Inside the guard: reaching a member's Security Hub may need a fresh AssumeRole.
        hub = runtime.security_hub_in(change.account, change.region, home_account=home_account)
        if hub is None:
            return 0
        # The state after the fix: what the finding's resource details should show.
        endpoint = api.describe_endpoint(change.endpoint_id)
        details = {change.endpoint_id: endpoint} if endpoint else {}
        return export_reports(hub, [result.report], endpoints=details, policy=policy)

    export_or_log(export, logger=logger, metrics=metrics)


def _summarize(outcome: ChangeOutcome) -> dict[str, Any]:
    result = outcome.result
    if result is None:
        logger.info(
            "nothing to enforce", extra={"outcome": outcome.kind, "notified": outcome.notified}
        )
        count(metrics, "Skipped", dimension=("reason", outcome.kind))
        return {"status": outcome.kind, "notified": outcome.notified}
    report = result.report
    count(metrics, "Evaluated")
    for finding in report.findings:
        count(metrics, "Violations", dimension=("rule", finding.rule))
    if report.status is EndpointStatus.REMEDIATED:
        count(metrics, "Remediated")
    logger.info(
        "endpoint enforced",
        extra={
            "status": str(report.status),
            "rules": [f.rule for f in report.findings],
            "fixed_rules": list(report.fixed_rules),
            "users_affected": report.users_affected,
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
