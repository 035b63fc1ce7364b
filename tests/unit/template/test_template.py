"""template.yaml, expanded by the SAM translator: wiring, event pattern and least privilege."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.intake import WATCHED_CALLS
from cvpn_guard.policy import Mode, default_policy, load_policy
from cvpn_guard.policy.storage import ADVANCED_TIER_BYTES, STANDARD_TIER_BYTES, ssm_fit
from tests.support.eventbridge import compile_pattern, matches
from tests.support.events import (
    ENFORCER_ROLE_ARN,
    SWEEPER_ROLE_ARN,
    WORK_SAMPLES,
    load_event,
    sample_names,
)
from tests.support.template import (
    REPO,
    as_list,
    enforcer_rule_pattern,
    iam_statements,
    resources_of_type,
    source_template,
    transformed_template,
)


def _functions() -> dict[str, dict[str, Any]]:
    template = source_template()
    return resources_of_type(template, "AWS::Serverless::Function")


@pytest.mark.parametrize("name", sorted(_functions()))
def test_every_function_handler_resolves_to_a_callable_in_the_repo(name: str) -> None:
    # Given a function's CodeUri and Handler
    properties = _functions()[name]["Properties"]
    module_name, attribute = properties["Handler"].rsplit(".", 1)
    path = REPO / properties["CodeUri"] / f"{module_name.replace('.', '/')}.py"

    # When the module is loaded the way Lambda loads it
    spec = importlib.util.spec_from_file_location(f"template_{name}", path)
    assert spec, f"{path} does not exist"
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    # Then the handler is a callable
    assert callable(getattr(module, attribute))


def test_layer_is_built_from_the_shared_package() -> None:
    (layer,) = resources_of_type(source_template(), "AWS::Serverless::LayerVersion").values()
    content = REPO / layer["Properties"]["ContentUri"]
    assert (content / "cvpn_guard" / "__init__.py").is_file()
    assert (content / "requirements.txt").is_file()
    assert layer["Metadata"]["BuildMethod"] == "python3.12"


# Only successful changes by someone other than cvpn-guard match. (Rule matching is
# EventBridge's, by a real implementation that looks inside arrays of objects:
# tests/support/eventbridge.py says why not moto's.)
CREATE_AND_MODIFY = {"create_endpoint_noncompliant", "modify_endpoint_by_user"}
NEW_CALL_SAMPLES = sorted(WORK_SAMPLES - CREATE_AND_MODIFY - {"modify_endpoint_by_iam_user"})


@pytest.mark.parametrize("sample", sample_names())
def test_rule_pattern_matches_changes_and_rejects_failures_and_our_own_calls(sample: str) -> None:
    # Given the deployed rule's pattern, as EventBridge evaluates it
    pattern = enforcer_rule_pattern()

    # When a sample event is offered, Then only successful changes by others match
    assert matches(pattern, load_event(sample)) is (sample in WORK_SAMPLES)


def test_the_rule_pattern_is_one_eventbridge_accepts() -> None:
    compile_pattern(enforcer_rule_pattern())


def _pattern_event_names(pattern: dict[str, Any]) -> set[str]:
    return {name for branch in pattern["detail"]["$or"] for name in branch["eventName"]}


def test_the_rule_pattern_names_exactly_the_calls_the_intake_reads() -> None:
    # A call in the pattern that the intake skips wastes invocations; a call the intake reads
    # that the pattern leaves out is never enforced.
    assert _pattern_event_names(enforcer_rule_pattern()) == set(WATCHED_CALLS)


@pytest.mark.parametrize("sample", NEW_CALL_SAMPLES)
@pytest.mark.parametrize(
    "error_code",
    ["Client.UnauthorizedOperation", "Client.DryRunOperation", "Server.InternalError"],
)
def test_failed_calls_and_dry_runs_of_every_new_call_do_not_match(
    sample: str, error_code: str
) -> None:
    # Given a watched call that EC2 refused (or a dry run)
    event = load_event(sample)
    event["detail"].update(errorCode=error_code, errorMessage="...", responseElements=None)

    # Then the rule does not invoke the enforcer
    assert not matches(enforcer_rule_pattern(), event)


@pytest.mark.parametrize("sample", NEW_CALL_SAMPLES)
@pytest.mark.parametrize("role", [ENFORCER_ROLE_ARN, SWEEPER_ROLE_ARN])
def test_new_calls_by_our_own_roles_do_not_match(sample: str, role: str) -> None:
    # Given the call made by cvpn-guard's enforcer or sweeper role
    event = load_event(sample)
    event["detail"]["userIdentity"] = load_event("modify_endpoint_by_enforcer")["detail"][
        "userIdentity"
    ]
    event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = role

    # Then the rule does not invoke the enforcer
    assert not matches(enforcer_rule_pattern(), event)


def _tag_call(*resource_ids: str) -> dict[str, Any]:
    event = load_event("create_tags_on_two_endpoints")
    event["detail"]["requestParameters"]["resourcesSet"]["items"] = [
        {"resourceId": resource_id} for resource_id in resource_ids
    ]
    return event


@pytest.mark.parametrize(
    ("resource_ids", "invokes"),
    [
        (("i-0123456789abcdef0",), False),
        (("i-0123456789abcdef0", "vol-0123456789abcdef0", "sg-0123456789abcdef0"), False),
        (("eni-0123456789abcdef0", "cvpn-endpoint-0123456789abcdef0"), True),
        (("cvpn-endpoint-0123456789abcdef0",), True),
        # The prefix is case-sensitive, like EC2's ids; the intake validates the rest.
        (("CVPN-ENDPOINT-0123456789ABCDEF0",), False),
    ],
)
def test_tag_calls_invoke_the_enforcer_only_when_they_name_an_endpoint(
    resource_ids: tuple[str, ...], invokes: bool
) -> None:
    for name in ("CreateTags", "DeleteTags"):
        # Given a tag call on these resources
        event = _tag_call(*resource_ids)
        event["detail"]["eventName"] = name

        # Then only one that names an endpoint reaches the function
        assert matches(enforcer_rule_pattern(), event) is invokes, (name, resource_ids)


def test_an_endpoint_id_elsewhere_in_another_call_does_not_match() -> None:
    # Given a call the pattern does not watch that still carries an endpoint id in resourcesSet
    event = _tag_call("cvpn-endpoint-0123456789abcdef0")
    event["detail"]["eventName"] = "DeleteClientVpnEndpoint"
    assert not matches(enforcer_rule_pattern(), event)


def test_the_sweepers_own_fixes_do_not_trigger_the_enforcer() -> None:
    event = load_event("modify_endpoint_by_enforcer")
    event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = SWEEPER_ROLE_ARN
    assert not matches(enforcer_rule_pattern(), event)


@pytest.mark.parametrize("sample", ["modify_endpoint_by_iam_user", *NEW_CALL_SAMPLES])
def test_principals_without_a_session_issuer_are_not_dropped_by_the_pattern(sample: str) -> None:
    # Given an IAM user's call (no sessionContext at all: nothing for anything-but to see)
    event = load_event(sample)
    event["detail"]["userIdentity"] = load_event("modify_endpoint_by_iam_user")["detail"][
        "userIdentity"
    ]
    assert "sessionContext" not in event["detail"]["userIdentity"]
    root = load_event(sample)
    root["detail"]["userIdentity"] = {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}

    # Then both reach the enforcer
    pattern = enforcer_rule_pattern()
    assert matches(pattern, event)
    assert matches(pattern, root)


def test_no_iam_statement_grants_wildcard_actions() -> None:
    for statement in iam_statements(transformed_template()):
        for action in as_list(statement["Action"]):
            assert "*" not in action, statement


def test_modify_is_scoped_to_client_vpn_endpoints_of_this_account_and_region() -> None:
    # Given every grant of ModifyClientVpnEndpoint
    statements = [
        s
        for s in iam_statements(transformed_template())
        if "ec2:ModifyClientVpnEndpoint" in as_list(s["Action"])
    ]
    assert statements
    kinds = set()
    for statement in statements:
        assert as_list(statement["Action"]) == ["ec2:ModifyClientVpnEndpoint"]
        resource = json.dumps(statement["Resource"])
        # Then each names one resource type of this account: the endpoints, or the security
        # groups and VPCs a security-groups fix also names (Service Authorization Reference)
        (kind,) = (
            k for k in ("client-vpn-endpoint", "security-group", "vpc") if f":{k}/*" in resource
        )
        kinds.add(kind)
        if "${AWS::Region}" in resource:
            assert (
                f"arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{kind}/*"
                in resource
            )
        else:
            # The sweeper's cross-region grants are pinned to the swept regions.
            assert f"arn:${{AWS::Partition}}:ec2:*:${{AWS::AccountId}}:{kind}/*" in resource
            assert "aws:RequestedRegion" in statement["Condition"]["StringEquals"]
    assert kinds == {"client-vpn-endpoint", "security-group", "vpc"}


def test_only_describe_actions_use_every_resource() -> None:
    # Actions for which the Service Authorization Reference lists no resource type, so "*" is
    # the only resource they take: EC2's two describes of many things (the endpoints of a
    # region, the security groups of a VPC), X-Ray's writes, organizations:ListAccounts and
    # DescribeOrganization. DescribeClientVpnConnections, ...AuthorizationRules and ...Routes
    # take the client-vpn-endpoint resource: they are granted on endpoint ARNs, never on "*".
    allowed_on_star = {
        "ec2:DescribeClientVpnEndpoints",
        "ec2:DescribeSecurityGroups",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "organizations:ListAccounts",
        "organizations:DescribeOrganization",
    }
    # Read-only, and their resource is whatever trail covers the region (shadow trails too).
    trail_reads = {"cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"}
    for statement in iam_statements(transformed_template()):
        if statement["Resource"] == "*":
            for action in as_list(statement["Action"]):
                assert action in allowed_on_star | trail_reads, action


def test_failures_are_kept_not_lost() -> None:
    template = transformed_template()
    configs = resources_of_type(template, "AWS::Lambda::EventInvokeConfig")
    assert set(configs) == {"EnforcerFunctionEventInvokeConfig", "SweeperFunctionEventInvokeConfig"}
    for config in configs.values():
        properties = config["Properties"]
        assert 1 <= properties["MaximumRetryAttempts"] <= 2
        assert properties["MaximumEventAgeInSeconds"] <= 21600
        assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["FailureQueue", "Arn"]
        }
    queue = template["Resources"]["FailureQueue"]["Properties"]
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert "KmsMasterKeyId" in queue


def test_topic_is_encrypted_and_functions_are_bounded() -> None:
    template = transformed_template()
    assert "KmsMasterKeyId" in template["Resources"]["NotificationTopic"]["Properties"]
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.12"
        assert properties["Architectures"] == ["arm64"]
    # Both functions' caps are parameters (EnforcerReservedConcurrency,
    # SweeperReservedConcurrency: tests/unit/template/test_deployed_template.py).
    for group in resources_of_type(template, "AWS::Logs::LogGroup").values():
        assert "RetentionInDays" in group["Properties"]


def test_policy_parameter_holds_the_bundled_default_policy() -> None:
    value = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    assert load_policy(value, source="template").identity == default_policy().identity


def test_the_stacks_own_policy_only_reports_on_day_one() -> None:
    # Given the policy document a plain `sam deploy` creates (PolicyParameterName empty)
    value = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]

    # When it is loaded as the functions load it
    policy = load_policy(value, source="template")

    # Then it reports only: the first sweep disconnects nobody and changes nothing
    assert policy.mode is Mode.REPORT
    # And the stack does not override the document's mode by default
    assert source_template()["Parameters"]["EnforcementMode"]["Default"] == "document"


@pytest.mark.parametrize(
    "example",
    [*sorted((REPO / "policies").glob("*.yaml")), REPO / "shared/cvpn_guard/policy/default.yaml"],
    ids=lambda path: path.name,
)
def test_the_stacks_policy_parameter_holds_every_example_policy(example: Path) -> None:
    # Given the tier of the parameter the stack creates (without one, SSM applies the
    # account's default tier: Standard, 4 KB, unless changed)
    tier = source_template()["Resources"]["PolicyParameter"]["Properties"].get("Tier")
    limits = {"Standard": STANDARD_TIER_BYTES, "Advanced": ADVANCED_TIER_BYTES}

    # Then every example policy, as stored, fits in it (policies/strict.yaml needs Advanced)
    assert tier in limits, "PolicyParameter names no tier: SSM's default holds 4 KB"
    assert ssm_fit(example.read_bytes()).size <= limits[tier], (example.name, tier)


def test_the_stack_defers_to_the_documents_mode_by_default() -> None:
    # Given the template's EnforcementMode parameter
    parameter = source_template()["Parameters"]["EnforcementMode"]

    # Then by default the document's own mode decides (policies/report-only.yaml stays so)
    assert parameter["Default"] == "document"
    assert set(parameter["AllowedValues"]) == {"document", "enforce", "report"}


def test_the_window_tick_invokes_the_sweeper_every_quarter_hour_with_its_event() -> None:
    from cvpn_guard.sweeper.window_tick import WINDOW_TICK_EVENT

    # Given the deployed template's schedules
    schedule = transformed_template()["Resources"]["SweeperFunctionWindowTick"]["Properties"]

    # Then the window tick reaches the sweeper with the event it tells apart from the daily
    # schedule's, every 15 minutes by default (the windows change without a stack update)
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["SweeperFunction", "Arn"]}
    assert json.loads(schedule["Target"]["Input"]) == WINDOW_TICK_EVENT
    assert schedule["ScheduleExpression"] == {"Ref": "WindowTickSchedule"}
    assert source_template()["Parameters"]["WindowTickSchedule"]["Default"] == "rate(15 minutes)"
    # And the sample event for sam local invoke is the same
    sample = REPO / "events" / "sweeper" / "window_tick.json"
    assert json.loads(sample.read_text()) == WINDOW_TICK_EVENT
