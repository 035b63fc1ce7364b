"""Enforcer Lambda: a Client VPN endpoint was changed -> bring it inside the policy.

Thin on purpose: observability decorators and one call. The logic is in ``cvpn_guard``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvpn_guard.handlers.enforcer import logger, metrics, process_event
from cvpn_guard.runtime import get_runtime
from cvpn_guard.tracing import trace_lambda_handler

if TYPE_CHECKING:
    # For the annotation only: importing it at INIT would cost cold start for nothing.
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(correlation_id_path="detail.eventID", clear_state=True)
@metrics.log_metrics
@trace_lambda_handler("cvpn-guard-enforcer")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for EventBridge "AWS API Call via CloudTrail" events."""
    return process_event(
        event,
        runtime=get_runtime(),
        function_arn=context.invoked_function_arn,
        time_left_ms=context.get_remaining_time_in_millis,
    )
