"""Sweep worker Lambda (organization mode): one SQS work item = one account in one region.

Thin on purpose: observability decorators and one call. The logic is in ``cvpn_guard``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cvpn_guard.arns import account_of
from cvpn_guard.handlers.sweep_worker import logger, metrics, process_work
from cvpn_guard.runtime import get_runtime
from cvpn_guard.tracing import trace_lambda_handler

if TYPE_CHECKING:
    # For the annotation only: importing it at INIT would cost cold start for nothing.
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@trace_lambda_handler("cvpn-guard-sweep-worker")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for the sweep queue's messages."""
    return process_work(
        event, runtime=get_runtime(), home_account=account_of(context.invoked_function_arn)
    )
