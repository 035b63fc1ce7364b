"""client-connect-handler: a Lambda function authorizes each new connection."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, JsonValue, StrictBool

from cvpn_guard.arns import account_of, region_of
from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import LambdaFunctionArn, unique
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
        description=(
            "a non-empty list of Lambda function ARNs (arn:<partition>:lambda:<region>:<12-digit "
            "account>:function:<name>[:<qualifier>]) whose name starts with AWSClientVPN-, as "
            "Client VPN requires (omit: any function); the fix uses the first one in the "
            "endpoint's account and region"
        ),
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.allowed_functions is None:
            return "there is no function to turn on; add allowed_functions, or remove remediate"
        return None


class ClientConnectHandler(Rule[ClientConnectHandlerConfig]):
    """A client connect handler must be on, running one of the allowed functions if listed.

    - Compliant when `ClientConnectOptions.Enabled` is true and, when the list is given,
      `LambdaFunctionArn` is in it (exact comparison).
    - Fix (only with `allowed_functions`): `ClientConnectOptions: {Enabled: true,
      LambdaFunctionArn: <first function listed in the endpoint's account and region>}`. AWS
      requires the handler in the endpoint's own account and region, so list one function per
      region you enforce; an endpoint with none in its region is reported, never sent a Modify AWS
      would refuse. Not disruptive: only new connections go through the handler.

    Controls: NIST SP 800-53 Rev. 5: AC-17(1) (Remote Access | Monitoring and Control: "Employ
    automated mechanisms to monitor and control remote access methods"): the handler is such a
    mechanism, run on every new connection) and AC-3 (Access Enforcement: "Enforce approved
    authorizations for logical access to information and system resources"; the handler can
    refuse the connection).
    """

    id = "client-connect-handler"
    reads = ("ClientConnectOptions",)
    options = ClientConnectHandlerConfig
    order = 70
    controls = (
        Control(Framework.NIST_800_53, "AC-17(1)", "Monitoring and Control"),
        Control(Framework.NIST_800_53, "AC-3", "Access Enforcement"),
    )
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
        usable = _in_endpoints_location(allowed or (), state)
        fix = (
            Fix({"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": usable[0]}})
            if usable
            else None
        )
        if allowed is not None and not usable:
            message += (
                f" None of the allowed functions is in the endpoint's account and region "
                f"({state.account}/{state.region}), where AWS requires the handler to be: "
                "add one there to let cvpn-guard fix it."
            )
        return RuleResult.violated(
            expected=expected,
            actual={"Enabled": enabled, "LambdaFunctionArn": function},
            message=message,
            fix=fix,
        )


def _in_endpoints_location(functions: tuple[str, ...], state: EndpointState) -> list[str]:
    """The allowed functions AWS accepts for this endpoint: same account and region.

    Where the endpoint's location is unknown, every allowed function is a candidate.
    """
    return [
        arn
        for arn in functions
        if (state.account is None or account_of(arn) == state.account)
        and (state.region is None or region_of(arn) == state.region)
    ]
