"""The client-connect-handler rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

import pytest

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    HANDLER,
    OTHER_HANDLER,
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "client-connect-handler",
    {"ClientConnectOptions": {"Enabled": False, "Status": {"Code": "applied"}}},
    {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": HANDLER}},
    severity=Severity.HIGH,
)


def test_handler_running_another_function_is_switched_to_the_first_allowed() -> None:
    # Given a handler that runs a function the policy does not list
    state = build_state(
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": OTHER_HANDLER}}
    )
    # When it is evaluated
    evaluation = evaluate_at(
        state, build_policy({"client-connect-handler": {"allowed_functions": [HANDLER]}})
    )
    # Then the fix switches it to the first allowed function
    assert OTHER_HANDLER in evaluation.findings[0].message
    assert evaluation.plan.parameters == {
        "ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": HANDLER}
    }


def test_handler_without_allowed_functions_accepts_any_and_reports_a_missing_one() -> None:
    policy = build_policy({"client-connect-handler": {}})
    other = build_state(
        {"ClientConnectOptions": {"Enabled": True, "LambdaFunctionArn": OTHER_HANDLER}}
    )
    assert evaluate_at(other, policy).findings == ()
    off = evaluate_at(build_state(drop=("ClientConnectOptions",)), policy)
    assert not off.findings[0].remediable
    assert off.plan.is_empty


EU_HANDLER = "arn:aws:lambda:eu-west-1:123456789012:function:AWSClientVPN-eu"
US_HANDLER = "arn:aws:lambda:us-east-1:123456789012:function:AWSClientVPN-us"
OTHER_ACCOUNT_HANDLER = "arn:aws:lambda:eu-west-1:210987654321:function:AWSClientVPN-eu"


def _handler_off_in(region: str, account: str = "123456789012") -> EndpointState:
    state = build_state({"ClientConnectOptions": {"Enabled": False}})
    return state.model_copy(update={"account": account, "region": region})


@pytest.mark.parametrize(
    ("region", "expected"), [("eu-west-1", EU_HANDLER), ("us-east-1", US_HANDLER)]
)
def test_connect_handler_fix_uses_the_function_in_the_endpoints_region(
    region: str, expected: str
) -> None:
    # Given handlers allowed in two regions, the first listed in another region
    functions = [US_HANDLER, EU_HANDLER] if region == "eu-west-1" else [EU_HANDLER, US_HANDLER]
    policy = build_policy({"client-connect-handler": {"allowed_functions": functions}})

    # When an endpoint of that region without a handler is evaluated
    evaluation = evaluate_at(_handler_off_in(region), policy)

    # Then the fix names the function AWS accepts there
    connect = evaluation.plan.parameters["ClientConnectOptions"]
    assert connect == {"Enabled": True, "LambdaFunctionArn": expected}


def test_connect_handler_without_a_function_in_the_endpoints_location_is_only_reported() -> None:
    # Given the only allowed functions are in another region or another account
    policy = build_policy(
        {"client-connect-handler": {"allowed_functions": [US_HANDLER, OTHER_ACCOUNT_HANDLER]}}
    )

    # When an eu-west-1 endpoint of account 123456789012 is evaluated
    evaluation = evaluate_at(_handler_off_in("eu-west-1"), policy)

    # Then the finding stands, is not remediable, and no Modify is planned
    (finding,) = evaluation.findings
    assert finding.rule == "client-connect-handler"
    assert not finding.remediable
    assert evaluation.plan.is_empty
    assert "123456789012/eu-west-1" in finding.message
