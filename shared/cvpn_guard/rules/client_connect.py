"""The client connect handler: a Lambda function that authorizes each new connection."""

from __future__ import annotations

from pydantic import JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import ClientConnectHandlerConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_client_connect_handler(
    state: EndpointState, config: ClientConnectHandlerConfig
) -> RuleResult:
    options = state.endpoint.client_connect_options
    enabled = options.enabled if options is not None else None
    function = options.lambda_function_arn if options is not None else None
    allowed = config.allowed_functions
    if enabled is True and (allowed is None or function in allowed):
        return PASSED
    expected: dict[str, JsonValue] = {"Enabled": True}
    if allowed is not None:
        expected["LambdaFunctionArn"] = list(allowed)
    if enabled is not True:
        message = "The client connect handler is off; the policy requires one."
    else:
        message = f"The client connect handler runs {function}, which the policy does not allow."
    # Only new connections go through the handler: open sessions are not touched.
    fix = (
        Fix({"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": allowed[0]}})
        if allowed is not None
        else None
    )
    return RuleResult.violated(
        expected=expected,
        actual={"Enabled": enabled, "LambdaFunctionArn": function},
        message=message,
        fix=fix,
    )


CLIENT_CONNECT_HANDLER = Rule(ClientConnectHandlerConfig, check_client_connect_handler)
