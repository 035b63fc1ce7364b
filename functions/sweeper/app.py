"""Sweeper Lambda: on a schedule, report (and in enforce mode fix) every Client VPN endpoint.

Thin on purpose: observability decorators and one call. The logic is in ``cvpn_guard``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvpn_guard.handlers.sweeper import account_of, logger, metrics, sweep_or_fan_out
from cvpn_guard.runtime import get_runtime
from cvpn_guard.tracing import trace_lambda_handler

if TYPE_CHECKING:
    # For the annotation only: importing it at INIT would cost cold start for nothing.
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@trace_lambda_handler("cvpn-guard-sweeper")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for the schedule (and, in organization mode, the deadline timer)."""
    return sweep_or_fan_out(
        event, runtime=get_runtime(), account=account_of(context.invoked_function_arn)
    )
