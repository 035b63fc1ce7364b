"""Client connection logging to CloudWatch Logs."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from cvpn_guard.endpoint import ConnectionLogOptions, EndpointState
from cvpn_guard.policy.options import ConnectionLoggingConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_connection_logging(state: EndpointState, config: ConnectionLoggingConfig) -> RuleResult:
    options = state.endpoint.connection_log_options or ConnectionLogOptions()
    enabled = options.enabled is True
    group_ok = config.log_group is None or options.cloudwatch_log_group == config.log_group
    stream_ok = config.log_stream is None or options.cloudwatch_log_stream == config.log_stream
    if enabled and group_ok and stream_ok:
        return PASSED
    expected: dict[str, JsonValue] = {"Enabled": True}
    if config.log_group is not None:
        expected["CloudwatchLogGroup"] = config.log_group
    if config.log_stream is not None:
        expected["CloudwatchLogStream"] = config.log_stream
    if not enabled:
        message = "Connection logging is off; the policy requires it."
    else:
        message = (
            f"Connection logging goes to {options.cloudwatch_log_group}/"
            f"{options.cloudwatch_log_stream}; the policy requires "
            f"{config.log_group}/{config.log_stream or '<any stream>'}."
        )
    return RuleResult.violated(
        expected=expected,
        actual={
            "Enabled": options.enabled,
            "CloudwatchLogGroup": options.cloudwatch_log_group,
            "CloudwatchLogStream": options.cloudwatch_log_stream,
        },
        message=message,
        fix=_fix(options, config),
    )


def _fix(current: ConnectionLogOptions, config: ConnectionLoggingConfig) -> Fix | None:
    if config.log_group is None:
        return None  # AWS needs a log group to turn logging on: report only
    wanted: dict[str, Any] = {"Enabled": True, "CloudwatchLogGroup": config.log_group}
    if config.log_stream is not None:
        wanted["CloudwatchLogStream"] = config.log_stream
    elif current.cloudwatch_log_group == config.log_group and current.cloudwatch_log_stream:
        # Modify replaces the whole structure: keep the stream already in the right group.
        wanted["CloudwatchLogStream"] = current.cloudwatch_log_stream
    if current.include_authorization_policy_context is not None:
        # Same reason: a setting the policy does not govern must survive the fix.
        wanted["IncludeAuthorizationPolicyContext"] = current.include_authorization_policy_context
    return Fix({"ConnectionLogOptions": wanted})


CONNECTION_LOGGING = Rule(ConnectionLoggingConfig, check_connection_logging)
