"""Which Modify parameter AWS refused, and the fix of every other rule without it."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.model import StructureShape

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.modify_refusal import (
    NAMED_BY,
    named_parameters,
    refused_parameter,
    without_refused,
)
from cvpn_guard.rules import all_rules
from tests.unit.policy.builders import build_policy, build_state, evaluate_at

# Members that name no parameter in particular (several structures have them).
GENERIC_MEMBERS = frozenset({"Enabled", "Enforced"})
NOT_SETTINGS = frozenset({"ClientVpnEndpointId", "DryRun"})


def _modify_input() -> StructureShape:
    ec2 = botocore.session.get_session().get_service_model("ec2")
    shape = ec2.operation_model("ModifyClientVpnEndpoint").input_shape
    assert shape is not None
    return shape


def refusal(message: str, code: str = "InvalidParameterValue") -> AwsCallError:
    return AwsCallError("ModifyClientVpnEndpoint", code, message)


SENT = (
    "SessionTimeoutHours",
    "DisconnectOnSessionTimeout",
    "ConnectionLogOptions",
    "SecurityGroupIds",
    "VpcId",
)


@pytest.mark.parametrize(
    ("message", "parameter"),
    [
        pytest.param(
            "The CloudwatchLogGroup /aws/x does not exist: no CloudWatch Logs log group of that "
            "name in this account and Region.",
            "ConnectionLogOptions",
            id="the-member-and-awss-words",
        ),
        pytest.param(
            "Invalid value for ConnectionLogOptions.CloudwatchLogGroup",
            "ConnectionLogOptions",
            id="a-dotted-path",
        ),
        pytest.param("The specified log group does not exist.", "ConnectionLogOptions", id="prose"),
        pytest.param(
            "Invalid value '9' for SessionTimeoutHours. Valid values: 8 | 10 | 12 | 24",
            "SessionTimeoutHours",
            id="the-parameter-itself",
        ),
        pytest.param(
            "disconnect on session timeout cannot be turned off for this endpoint",
            "DisconnectOnSessionTimeout",
            id="the-longest-words-win",
        ),
    ],
)
def test_a_refusal_that_names_one_sent_parameter_is_about_it(message: str, parameter: str) -> None:
    # When AWS refuses a request for a value its message names, Then that parameter is refused
    assert refused_parameter(refusal(message), SENT) == parameter


@pytest.mark.parametrize(
    ("error", "why"),
    [
        pytest.param(
            refusal("Security Groups cannot be specified without a VPC ID"),
            "it names two parameters",
            id="two-named",
        ),
        pytest.param(
            refusal("BannerText is too long."), "it names a parameter not sent", id="not-sent"
        ),
        pytest.param(refusal("The request is invalid."), "it names none", id="none-named"),
        pytest.param(
            refusal("You are not authorized to use the log group.", code="UnauthorizedOperation"),
            "permissions fail for every parameter alike",
            id="not-about-a-value",
        ),
        pytest.param(
            refusal("Rate exceeded for ConnectionLogOptions", code="RequestLimitExceeded"),
            "throttling fails for every parameter alike",
            id="throttled",
        ),
    ],
)
def test_a_refusal_is_about_no_single_parameter_when(error: AwsCallError, why: str) -> None:
    # When AWS's refusal does not single out one parameter it was sent, Then none is refused
    assert refused_parameter(error, SENT) is None, why


def test_a_code_about_one_resource_implies_its_parameter() -> None:
    # When AWS says the VPC of the request does not exist, Then VpcId is refused
    error = refusal("The vpc ID 'vpc-1' does not exist", code="InvalidVpcID.NotFound")
    assert refused_parameter(error, SENT) == "VpcId"
    assert refused_parameter(error, ("SessionTimeoutHours",)) is None


def test_every_modify_parameter_and_member_has_the_words_that_name_it() -> None:
    # Given botocore's ModifyClientVpnEndpoint request
    shape = _modify_input()

    # Then every parameter has its words, and a message naming any of its members names it
    assert set(NAMED_BY) == set(shape.members) - NOT_SETTINGS
    for parameter, member in shape.members.items():
        if parameter in NOT_SETTINGS:
            continue
        assert named_parameters(parameter) == {parameter}
        inner = member.member if member.type_name == "list" else member
        for name in getattr(inner, "members", {}):
            if name not in GENERIC_MEMBERS:
                assert named_parameters(f"{parameter}.{name} is invalid") == {parameter}
                assert named_parameters(f"{name} is invalid") == {parameter}, name


def test_every_parameter_a_rule_sends_has_the_words_that_name_it() -> None:
    for rule in all_rules():
        assert set(rule.modifies) <= set(NAMED_BY), rule.id


def test_words_inside_other_words_name_nothing() -> None:
    # "banner" inside ClientLoginBannerOptions, "VPC" inside "VPCx": only the whole names count
    assert named_parameters("ClientLoginBannerOptions is invalid") == {"ClientLoginBannerOptions"}
    assert named_parameters("VPCx and bannered") == frozenset()
    assert named_parameters("two DNS servers and three VPCs") == {"DnsServers", "VpcId"}


# Three rules fixed by one Modify: the session timeout, disconnect on timeout, and logging.
THREE_RULES = {
    "session-timeout": {"max_hours": 12},
    "disconnect-on-session-timeout": {"required": True},
    "connection-logging": {"required": True, "log_group": "/aws/clientvpn/audit"},
}
DRIFTED = {
    "SessionTimeoutHours": 24,
    "DisconnectOnSessionTimeout": False,
    "ConnectionLogOptions": {"Enabled": False},
}
LOG_GROUP_REFUSED = refusal("The CloudwatchLogGroup /aws/clientvpn/audit does not exist.")


def test_the_other_rules_are_planned_again_without_the_refused_parameter() -> None:
    # Given a plan fixing three rules in one Modify
    evaluation = evaluate_at(build_state(DRIFTED), build_policy(THREE_RULES))
    plan = evaluation.plan
    assert set(plan.parameters) == {
        "SessionTimeoutHours",
        "DisconnectOnSessionTimeout",
        "ConnectionLogOptions",
    }

    # When AWS refuses the log group
    split = without_refused(LOG_GROUP_REFUSED, plan)

    # Then the two other rules are planned without it, and connection logging failed
    assert split is not None
    assert split.parameter == "ConnectionLogOptions"
    assert split.failed_rules == ("connection-logging",)
    assert split.rest.parameters == {"SessionTimeoutHours": 12, "DisconnectOnSessionTimeout": True}
    assert set(split.rest.rules) == {"session-timeout", "disconnect-on-session-timeout"}
    # And its finding names the parameter and AWS's message; the others' say nothing more
    marked = {f.rule: f.fix_error for f in split.marked(evaluation).findings}
    assert marked == {
        "session-timeout": None,
        "disconnect-on-session-timeout": None,
        "connection-logging": "ModifyClientVpnEndpoint refused ConnectionLogOptions: "
        "InvalidParameterValue: The CloudwatchLogGroup /aws/clientvpn/audit does not exist.",
    }
    # And the endpoint's error says so with AWS's code
    assert split.error.code == "InvalidParameterValue"
    assert "ConnectionLogOptions was refused" in split.error.message


def test_a_rules_other_parameters_are_left_out_with_the_refused_one() -> None:
    # Given a plan whose security-groups fix sends SecurityGroupIds and VpcId
    rules = {
        "security-groups": {"forbid_default": True, "replacement_group_ids": ["sg-0fedcba98"]},
        "session-timeout": {"max_hours": 12},
    }
    evaluation = evaluate_at(
        build_state({"SecurityGroupIds": ["sg-0000000000000000d"], "SessionTimeoutHours": 24}),
        build_policy(rules),
    )
    assert set(evaluation.plan.parameters) == {"SecurityGroupIds", "VpcId", "SessionTimeoutHours"}

    # When AWS refuses the security groups, Then the VPC of that fix is not sent alone
    split = without_refused(refusal("Invalid security group sg-0fedcba98."), evaluation.plan)
    assert split is not None
    assert split.rest.parameters == {"SessionTimeoutHours": 12}


def test_nothing_is_sent_again_when_only_the_refused_rule_was_to_be_fixed() -> None:
    # Given a plan fixing connection logging only
    plan = evaluate_at(
        build_state({"ConnectionLogOptions": {"Enabled": False}}),
        build_policy({"connection-logging": THREE_RULES["connection-logging"]}),
    ).plan

    # When AWS refuses the log group, Then there is no second request to make
    assert without_refused(LOG_GROUP_REFUSED, plan) is None
    # And a refusal about no single parameter is not split either
    assert without_refused(refusal("The request is invalid."), plan) is None
