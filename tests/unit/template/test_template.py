"""template.yaml, expanded by the SAM translator: wiring, event pattern and least privilege."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest
from moto.events.models import EventPattern

from cvpn_guard.policy import default_policy, load_policy
from tests.support.events import SWEEPER_ROLE_ARN, load_event, sample_names
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


MATCHING = {
    "create_endpoint_noncompliant",
    "modify_endpoint_by_user",
    "modify_endpoint_by_iam_user",
}


@pytest.mark.parametrize("sample", sample_names())
def test_rule_pattern_matches_changes_and_rejects_failures_and_our_own_calls(sample: str) -> None:
    # Given the deployed rule's pattern, evaluated by moto's real EventBridge matcher
    pattern = EventPattern.load(json.dumps(enforcer_rule_pattern()))

    # When a sample event is offered, Then only successful changes by others match
    assert pattern.matches_event(load_event(sample)) is (sample in MATCHING)


def test_the_sweepers_own_fixes_do_not_trigger_the_enforcer() -> None:
    event = load_event("modify_endpoint_by_enforcer")
    event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = SWEEPER_ROLE_ARN
    assert not EventPattern.load(json.dumps(enforcer_rule_pattern())).matches_event(event)


def test_principals_without_a_session_issuer_are_not_dropped_by_the_pattern() -> None:
    # Given the IAM-user sample has no sessionContext at all (nothing for anything-but to see)
    event = load_event("modify_endpoint_by_iam_user")
    assert "sessionContext" not in event["detail"]["userIdentity"]
    root = load_event("modify_endpoint_by_iam_user")
    root["detail"]["userIdentity"] = {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}

    pattern = EventPattern.load(json.dumps(enforcer_rule_pattern()))
    assert pattern.matches_event(event)
    assert pattern.matches_event(root)


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
    # organizations:ListAccounts takes no resource type: "*" is its only resource.
    allowed_on_star = {"ec2:Describe", "xray:Put", "organizations:ListAccounts"}
    for statement in iam_statements(transformed_template()):
        if statement["Resource"] == "*":
            for action in as_list(statement["Action"]):
                assert any(action.startswith(prefix) for prefix in allowed_on_star), action


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
    # One sweep at a time; the enforcer's cap is the EnforcerReservedConcurrency parameter
    # (tests/unit/template/test_deployed_template.py).
    assert (
        template["Resources"]["SweeperFunction"]["Properties"]["ReservedConcurrentExecutions"] == 1
    )
    for group in resources_of_type(template, "AWS::Logs::LogGroup").values():
        assert "RetentionInDays" in group["Properties"]


def test_policy_parameter_holds_the_bundled_default_policy() -> None:
    value = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    assert load_policy(value, source="template").identity == default_policy().identity


def test_the_stack_defers_to_the_documents_mode_by_default() -> None:
    # Given the template's EnforcementMode parameter
    parameter = source_template()["Parameters"]["EnforcementMode"]

    # Then by default the document's own mode decides (policies/report-only.yaml stays so)
    assert parameter["Default"] == "document"
    assert set(parameter["AllowedValues"]) == {"document", "enforce", "report"}
