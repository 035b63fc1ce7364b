"""The enforcer function's invocation: classify the event, then enforce or skip it.

Only what every event needs is imported with the handler (Powertools, the settings, the event
intake); the policy engine comes with ``enforcing``, on the first event that names an endpoint
to enforce. A cold start for a skipped event (the enforcer's own ModifyClientVpnEndpoint comes
back as one) stays that lean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cvpn_guard.arns import account_of
from cvpn_guard.change_events.telemetry import logger, metrics
from cvpn_guard.intake import LoopGuard, Skip, classify_event
from cvpn_guard.observability import count
from cvpn_guard.runtime import Runtime

__all__ = ["logger", "metrics", "process_event"]


def _loop_guard(runtime: Runtime, function_arn: str | None) -> LoopGuard:
    settings = runtime.settings
    return LoopGuard(
        function_name=settings.function_name,
        function_arn=function_arn,
        role_arns=frozenset(settings.loop_guard_role_arns),
        member_role_name=settings.member_role_name,
    )


def process_event(
    event: Any,
    *,
    runtime: Runtime,
    function_arn: str | None,
    time_left_ms: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """Handle one EventBridge event end to end; returns a small summary of what happened.

    ``time_left_ms`` is Lambda's ``context.get_remaining_time_in_millis``: a tag call naming
    many endpoints stops starting new ones before the function's timeout.
    """
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
    first = intake[0]
    logger.append_keys(account=first.account, region=first.region, event_kind=str(first.kind))
    if len(intake) == 1:
        logger.append_keys(endpoint_id=first.endpoint_id)
    from cvpn_guard.change_events.enforcing import enforce_changes

    summaries = enforce_changes(
        intake, runtime=runtime, time_left_ms=time_left_ms, home_account=home_account
    )
    if len(summaries) == 1:
        return summaries[0]
    return {"status": "several_endpoints", "endpoints": summaries}
