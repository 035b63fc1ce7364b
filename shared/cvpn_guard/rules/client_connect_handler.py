"""client-connect-handler: a Lambda function authorizes each new connection."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, JsonValue, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.enums import Severity
from cvpn_guard.policy.values import LambdaFunctionArn, unique
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class ClientConnectHandlerConfig(RuleConfig):
    fix_options: ClassVar[tuple[str, ...]] = ("allowed_functions",)
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True,
        description="true (a client connect handler must be on) or false (not checked)",
    )
    allowed_functions: (
        Annotated[tuple[LambdaFunctionArn, ...], Field(min_length=1), AfterValidator(unique)] | None
    ) = Field(
        default=None,
        description="a non-empty list of Lambda function ARNs whose name starts with "
        "AWSClientVPN- (omit: any function); the first one is the fix",
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.allowed_functions is None:
            return "there is no function to turn on; add allowed_functions, or remove remediate"
        return None


class ClientConnectHandler(Rule[ClientConnectHandlerConfig]):
    """A client connect handler must be on, running one of the allowed functions if listed."""

    id = "client-connect-handler"
    options = ClientConnectHandlerConfig
    order = 70
    fixable = True
    modifies = ("ClientConnectOptions",)
    example = {
        "required": True,
        "allowed_functions": [
            "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-authorizer"
        ],
    }

    @classmethod
    def check(cls, state: EndpointState, options: ClientConnectHandlerConfig) -> RuleResult:
        connect = state.endpoint.client_connect_options
        enabled = connect.enabled if connect is not None else None
        function = connect.lambda_function_arn if connect is not None else None
        allowed = options.allowed_functions
        if enabled is True and (allowed is None or function in allowed):
            return PASSED
        expected: dict[str, JsonValue] = {"Enabled": True}
        if allowed is not None:
            expected["LambdaFunctionArn"] = list(allowed)
        if enabled is not True:
            message = "The client connect handler is off; the policy requires one."
        else:
            message = (
                f"The client connect handler runs {function}, which the policy does not allow."
            )
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

    @classmethod
    def show_in_describe(cls, item: dict[str, Any], parameter: str, value: Any) -> None:
        item[parameter] = {**value, "Status": {"Code": "applied"}}
