"""Security properties of the CloudFormation template that ``sam deploy`` submits.

Everything here reads the *transformed* template (SAM resources expanded), because that is
what IAM, SNS and EventBridge enforce. Intrinsic functions are evaluated only where the
answer depends on a parameter (``Fn::If`` on the template's own conditions).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from moto.events.models import EventPattern

from cvpn_guard.intake.calls import WATCHED_CALLS
from tests.support.eventbridge import matches
from tests.support.events import load_event
from tests.support.template import (
    REPO,
    Deployed,
    as_list,
    enforcer_rule_pattern,
    inline_policies,
    resources_of_type,
    source_template,
    statement_applies,
    transformed_template,
)

ACCOUNT = "123456789012"
MODIFY = "ec2:ModifyClientVpnEndpoint"
MANAGED_TAG = "aws:ResourceTag/cvpn-guard:managed"
FOURTEEN_DAYS = 14 * 24 * 3600

# ---- helpers: statements, references and the template's conditions ----------------------


def _identity_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource, statement) for every identity policy: roles, managed and inline policies."""
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        if kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            for statement in as_list(properties["PolicyDocument"]["Statement"]):
                yield name, statement
        if kind == "AWS::IAM::Role":
            for policy in inline_policies(properties):
                for statement in as_list(policy["PolicyDocument"]["Statement"]):
                    yield name, statement


def _resource_policies(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource, statement) for every resource policy: topic, queue and key policies."""
    documents = {
        "AWS::SNS::TopicPolicy": "PolicyDocument",
        "AWS::SQS::QueuePolicy": "PolicyDocument",
        "AWS::KMS::Key": "KeyPolicy",
    }
    for name, resource in template["Resources"].items():
        key = documents.get(resource["Type"])
        if key:
            for statement in as_list(resource["Properties"][key]["Statement"]):
                yield name, statement


def _refers_to(value: Any, logical_id: str) -> bool:
    """Whether ``value`` is ``Ref`` or ``Fn::GetAtt`` of ``logical_id``."""
    if not isinstance(value, Mapping):
        return False
    if value.get("Ref") == logical_id:
        return True
    get_att = value.get("Fn::GetAtt")
    if isinstance(get_att, str):
        get_att = get_att.split(".", 1)
    return isinstance(get_att, list) and get_att[:1] == [logical_id]


def _referenced_resource(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and get_att:
            return str(get_att[0])
    return None


_NO_VALUE = object()


def _conditions(template: dict[str, Any], **parameters: str) -> dict[str, bool]:
    """The template's conditions for these parameter values (the rest at their defaults)."""
    values = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    values.update(parameters)

    def operand(value: Any) -> Any:
        if isinstance(value, Mapping) and "Ref" in value:
            return values[value["Ref"]]
        return value

    def evaluate(expression: Mapping[str, Any]) -> bool:
        ((function, arguments),) = expression.items()
        if function == "Fn::Equals":
            left, right = (operand(argument) for argument in arguments)
            return bool(left == right)
        if function == "Fn::Not":
            return not evaluate(arguments[0])
        if function == "Fn::And":
            return all(evaluate(argument) for argument in arguments)
        if function == "Fn::Or":
            return any(evaluate(argument) for argument in arguments)
        if function == "Condition":
            return evaluate(template["Conditions"][arguments])
        raise AssertionError(f"condition function {function} is not understood by this test")

    return {name: evaluate(expression) for name, expression in template["Conditions"].items()}


def _resolve(value: Any, conditions: Mapping[str, bool]) -> Any:
    """Apply ``Fn::If`` and drop ``AWS::NoValue``, as CloudFormation does at deploy time."""
    if isinstance(value, Mapping):
        if value == {"Ref": "AWS::NoValue"}:
            return _NO_VALUE
        if set(value) == {"Fn::If"}:
            name, if_true, if_false = value["Fn::If"]
            return _resolve(if_true if conditions[name] else if_false, conditions)
        resolved = {key: _resolve(item, conditions) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not _NO_VALUE}
    if isinstance(value, list):
        items = [_resolve(item, conditions) for item in value]
        return [item for item in items if item is not _NO_VALUE]
    return value


def _modify_statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, statement)
        for name, statement in _identity_statements(template)
        if statement["Effect"] == "Allow"
        and any(fnmatch.fnmatchcase(MODIFY, action) for action in as_list(statement["Action"]))
    ]


def _function_role_ids(template: dict[str, Any]) -> set[str]:
    roles = set()
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        role = _referenced_resource(function["Properties"]["Role"])
        assert role, "every function's role is one of the template's roles"
        roles.add(role)
    return roles


# ---- IAM ---------------------------------------------------------------------------------


def test_no_identity_policy_grants_a_wildcard_action_or_uses_not_action() -> None:
    template = transformed_template()
    statements = list(_identity_statements(template))
    assert len(statements) >= 10
    for name, statement in statements:
        assert "NotAction" not in statement, (name, statement)
        assert "NotResource" not in statement, (name, statement)
        for action in as_list(statement["Action"]):
            assert isinstance(action, str), (name, action)
            # Neither "*" nor "service:*" nor "service:Put*": every action is spelled out.
            assert "*" not in action, (name, statement)
            assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", action), (name, action)


def test_resource_policies_grant_wildcards_only_to_the_account_administrators() -> None:
    # The key policy's "kms:*" for the account root is what keeps the key manageable; no
    # other resource policy statement may use a wildcard action or allow every principal.
    account_root = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    for name, statement in _resource_policies(transformed_template()):
        if statement["Effect"] != "Allow":
            continue
        assert statement["Principal"] not in ("*", {"AWS": "*"}), (name, statement)
        for action in as_list(statement["Action"]):
            if action.endswith(":*") or action == "*":
                assert statement["Principal"] == {"AWS": account_root}, (name, statement)


ENDPOINT_ARN = re.compile(
    r"arn:\$\{AWS::Partition\}:ec2:(\$\{AWS::Region\}|\*):\$\{AWS::AccountId\}"
    r":client-vpn-endpoint/\*"
)
# What a security-groups fix (SecurityGroupIds + VpcId) names besides the endpoint.
NETWORK_ARN = re.compile(
    r"arn:\$\{AWS::Partition\}:ec2:(\$\{AWS::Region\}|\*):\$\{AWS::AccountId\}"
    r":(security-group|vpc)/\*"
)


def _resource_arns(statement: dict[str, Any]) -> list[str]:
    arns = []
    for resource in as_list(statement["Resource"]):
        assert set(resource) == {"Fn::Sub"}, resource
        arns.append(resource["Fn::Sub"])
    return arns


def test_modify_is_allowed_only_on_client_vpn_endpoints_and_the_networks_they_use() -> None:
    statements = _modify_statements(transformed_template())
    assert {name for name, _ in statements} == {"RemediatorPolicy", "SweeperRole"}
    for name, statement in statements:
        assert as_list(statement["Action"]) == [MODIFY], name
        arns = _resource_arns(statement)
        # One resource type per statement, so that a condition never spans two of them.
        assert all(ENDPOINT_ARN.fullmatch(a) for a in arns) or all(
            NETWORK_ARN.fullmatch(a) for a in arns
        ), (name, arns)
        assert len({a.rsplit(":", 1)[1] for a in arns}) == 1, (name, arns)


def test_modify_scope_by_tag_is_an_if_on_the_parameter() -> None:
    # Given the template as written
    template = transformed_template()
    assert template["Conditions"]["ScopeModifyByTag"] == {
        "Fn::Equals": [{"Ref": "ModifyOnlyTaggedEndpoints"}, "true"]
    }
    (statement,) = (
        s
        for s in template["Resources"]["RemediatorPolicy"]["Properties"]["PolicyDocument"][
            "Statement"
        ]
        if s["Action"] == MODIFY and all(ENDPOINT_ARN.fullmatch(a) for a in _resource_arns(s))
    )
    # Then the shared Modify grant on endpoints carries the tag condition only under
    # ScopeModifyByTag
    assert statement["Condition"] == {
        "Fn::If": [
            "ScopeModifyByTag",
            {"StringEquals": {MANAGED_TAG: "true"}},
            {"Ref": "AWS::NoValue"},
        ]
    }


@pytest.mark.parametrize("tagged_only", ["true", "false"])
def test_every_modify_grant_follows_modify_only_tagged_endpoints(tagged_only: str) -> None:
    # Given the policies as CloudFormation deploys them for this parameter value
    template = transformed_template()
    conditions = _conditions(template, ModifyOnlyTaggedEndpoints=tagged_only)
    statements = [_resolve(s, conditions) for _, s in _modify_statements(template)]
    on_endpoints = [
        s for s in statements if all(ENDPOINT_ARN.fullmatch(a) for a in _resource_arns(s))
    ]
    on_networks = [s for s in statements if s not in on_endpoints]
    assert len(on_endpoints) == 2
    assert len(on_networks) == 4

    # Then with "true" EVERY grant on endpoints (Allows add up) needs the managed tag, and
    # with "false" none; grants on security groups and VPCs never do (they carry no such tag,
    # and EC2 still authorizes the endpoint itself against the tagged-only grants)
    for statement in on_endpoints:
        required = statement.get("Condition", {}).get("StringEquals", {}).get(MANAGED_TAG)
        assert required == ("true" if tagged_only == "true" else None), statement
    for statement in on_networks:
        assert MANAGED_TAG not in json.dumps(statement), statement


# What the fixes beyond Modify call (cvpn_guard.endpoint_calls), and the reads rules need.
CALL_ACTIONS = {
    "ec2:RevokeClientVpnIngress",
    "ec2:DeleteClientVpnRoute",
    "ec2:ModifyClientVpnEndpointAuthorizationPolicy",
}
SUBNET_ARN = re.compile(
    r"arn:\$\{AWS::Partition\}:ec2:(\$\{AWS::Region\}|\*):\$\{AWS::AccountId\}:subnet/\*"
)


def _granting(template: dict[str, Any], actions: set[str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, statement)
        for name, statement in _identity_statements(template)
        if statement["Effect"] == "Allow" and actions & set(as_list(statement["Action"]))
    ]


def test_every_ec2_call_of_the_product_is_granted_to_both_functions() -> None:
    # Given every EC2 operation the adapter makes, and every other call a fix makes
    from cvpn_guard.endpoint_calls import DeleteRoute, LeaveShadowMode, RevokeAccessAll

    adapter = (REPO / "shared" / "cvpn_guard" / "aws" / "ec2.py").read_text()
    called = {f"ec2:{op}" for op in re.findall(r'aws_call\("([A-Za-z]+)"\)', adapter)}
    calls = {f"ec2:{c.operation}" for c in (DeleteRoute, LeaveShadowMode, RevokeAccessAll)}
    assert calls == CALL_ACTIONS
    assert calls <= called
    # Then the policy both roles share grants each of them, and nothing the product never calls
    granted = {
        action
        for _, statement in _granting(transformed_template(), called)
        for action in as_list(statement["Action"])
        if action.startswith("ec2:")
    }
    assert called <= granted, called - granted
    remediator = {
        action
        for name, statement in _identity_statements(transformed_template())
        if name == "RemediatorPolicy" and statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        if action.startswith("ec2:")
    }
    assert remediator == called, remediator ^ called


def test_fixes_beyond_modify_are_granted_only_on_endpoints_and_the_subnets_routes_use() -> None:
    statements = _granting(transformed_template(), CALL_ACTIONS)
    assert {name for name, _ in statements} == {"RemediatorPolicy", "SweeperRole"}
    for name, statement in statements:
        assert set(as_list(statement["Action"])) <= CALL_ACTIONS, (name, statement)
        arns = _resource_arns(statement)
        if all(SUBNET_ARN.fullmatch(a) for a in arns):
            # DeleteClientVpnRoute names a subnet too (Service Authorization Reference)
            assert as_list(statement["Action"]) == ["ec2:DeleteClientVpnRoute"], statement
            assert "ec2:Vpc" in statement["Condition"]["ArnLike"], statement
        else:
            assert all(ENDPOINT_ARN.fullmatch(a) for a in arns), (name, arns)


@pytest.mark.parametrize("tagged_only", ["true", "false"])
def test_fixes_beyond_modify_follow_modify_only_tagged_endpoints(tagged_only: str) -> None:
    # Given the grants of revoke, delete route and modify policy as deployed
    template = transformed_template()
    conditions = _conditions(template, ModifyOnlyTaggedEndpoints=tagged_only)
    statements = [_resolve(s, conditions) for _, s in _granting(template, CALL_ACTIONS)]
    on_endpoints = [
        s for s in statements if all(ENDPOINT_ARN.fullmatch(a) for a in _resource_arns(s))
    ]
    assert len(on_endpoints) == 2
    # Then exactly like Modify: with "true" each needs the managed tag, with "false" none
    for statement in on_endpoints:
        required = statement.get("Condition", {}).get("StringEquals", {}).get(MANAGED_TAG)
        assert required == ("true" if tagged_only == "true" else None), statement
    for statement in statements:
        if statement not in on_endpoints:
            assert MANAGED_TAG not in json.dumps(statement), statement


# ---- the SNS topic -----------------------------------------------------------------------


def _fake_arn(logical_id: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/stack-{logical_id}-ABC123"


def _substitute_role_arns(value: Any) -> Any:
    if isinstance(value, Mapping):
        get_att = value.get("Fn::GetAtt")
        if isinstance(get_att, list) and len(get_att) == 2 and get_att[1] == "Arn":
            return _fake_arn(get_att[0])
        return {key: _substitute_role_arns(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute_role_arns(item) for item in value]
    return value


def _publish_verdict(statements: list[dict[str, Any]], context: dict[str, Any]) -> str:
    """What the topic policy says of sns:Publish over TLS in request ``context``: "deny",
    "allow" or "silent" (then the principal's own IAM policy decides)."""
    topic = as_list(statements[0]["Resource"])[0]  # every statement names the topic
    relevant = [
        statement
        for statement in statements
        if any(fnmatch.fnmatchcase("sns:Publish", a) for a in as_list(statement["Action"]))
    ]
    request = {"aws:SecureTransport": "true", **context}
    if any(
        s["Effect"] == "Deny" and statement_applies(s, "sns:Publish", topic, request)
        for s in relevant
    ):
        return "deny"
    allows = [
        s
        for s in relevant
        if s["Effect"] == "Allow" and statement_applies(s, "sns:Publish", topic, request)
    ]
    return "allow" if allows else "silent"


def _topic_policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The topic policy as deployed (stack "cvpn-guard"), our roles' ARNs filled in."""
    deployed = Deployed(_substitute_role_arns(copy.deepcopy(template)))
    return as_list(deployed.resource("NotificationTopicPolicy")["PolicyDocument"]["Statement"])


def _as_role(arn: str) -> dict[str, Any]:
    return {"aws:PrincipalArn": arn, "aws:SourceAccount": ACCOUNT}


def _as_cloudwatch_alarm(alarm_arn: str, account: str = ACCOUNT) -> dict[str, Any]:
    # A service principal's request: aws:PrincipalServiceName, no principal ARN.
    return {
        "aws:PrincipalServiceName": "cloudwatch.amazonaws.com",
        "aws:SourceArn": alarm_arn,
        "aws:SourceAccount": account,
    }


def test_topic_policy_denies_publish_to_every_principal_but_our_functions() -> None:
    # Given the topic policy, with our roles' ARNs filled in
    template = transformed_template()
    (policy,) = resources_of_type(template, "AWS::SNS::TopicPolicy").values()
    assert policy["Properties"]["Topics"] == [{"Ref": "NotificationTopic"}]
    statements = _topic_policy_statements(template)
    ours = {_fake_arn(role) for role in _function_role_ids(template)}
    assert len(ours) == 2

    # Then our functions' roles may publish (their IAM policy allows it), anyone else is
    # denied, whatever IAM says
    for arn in ours:
        assert _publish_verdict(statements, _as_role(arn)) == "silent", arn
    others = [
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:role/Admin",
        f"arn:aws:iam::{ACCOUNT}:user/ci",
        "arn:aws:iam::210987654321:role/stack-EnforcerRole-ABC123",
        _fake_arn("EnforcerRole") + "-copy",
        _fake_arn("SweeperFunctionScheduleRole"),
    ]
    for arn in others:
        assert _publish_verdict(statements, _as_role(arn)) == "deny", arn


def test_only_the_stacks_own_alarms_may_publish_as_cloudwatch() -> None:
    # Given the topic policy as deployed by stack "cvpn-guard"
    statements = _topic_policy_statements(transformed_template())
    alarm = f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:cvpn-guard-"

    # Then the stack's alarms may publish; another stack's alarm, or another account's, not
    assert _publish_verdict(statements, _as_cloudwatch_alarm(alarm + "failures-kept")) == "allow"
    assert (
        _publish_verdict(
            statements,
            _as_cloudwatch_alarm(f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:other-stack"),
        )
        == "silent"
    )
    assert (
        _publish_verdict(
            statements, _as_cloudwatch_alarm(alarm + "failures-kept", account="210987654321")
        )
        == "silent"
    )
    # And no one else is allowed by the topic policy itself
    for statement in statements:
        if statement["Effect"] == "Allow" and "sns:Publish" in as_list(statement["Action"]):
            assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}


# ---- encryption and retention ------------------------------------------------------------


def _is_template_key(template: dict[str, Any], value: Any) -> bool:
    logical_id = _referenced_resource(value)
    return bool(logical_id) and template["Resources"][logical_id]["Type"] == "AWS::KMS::Key"


def test_topic_queues_table_logs_and_environment_are_encrypted_with_the_stack_key() -> None:
    template = transformed_template()
    (key,) = resources_of_type(template, "AWS::KMS::Key").values()
    assert key["Properties"]["EnableKeyRotation"] is True

    for topic in resources_of_type(template, "AWS::SNS::Topic").values():
        assert _is_template_key(template, topic["Properties"].get("KmsMasterKeyId"))
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert queues
    for queue in queues.values():
        assert _is_template_key(template, queue["Properties"].get("KmsMasterKeyId"))
    for table in resources_of_type(template, "AWS::DynamoDB::Table").values():
        sse = table["Properties"]["SSESpecification"]
        assert sse["SSEEnabled"] is True
        assert sse["SSEType"] == "KMS"
        assert _is_template_key(template, sse["KMSMasterKeyId"])
    groups = resources_of_type(template, "AWS::Logs::LogGroup")
    assert groups
    for group in groups.values():
        assert _is_template_key(template, group["Properties"].get("KmsKeyId"))
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        assert _is_template_key(template, function["Properties"].get("KmsKeyArn"))


def test_every_function_logs_into_an_encrypted_group_of_the_stack() -> None:
    # Lambda would otherwise create /aws/lambda/<name> itself: unencrypted, kept forever.
    template = transformed_template()
    groups = {
        json.dumps(group["Properties"]["LogGroupName"]): logical_id
        for logical_id, group in resources_of_type(template, "AWS::Logs::LogGroup").items()
    }
    for name, function in resources_of_type(template, "AWS::Lambda::Function").items():
        function_name = function["Properties"]["FunctionName"]["Fn::Sub"]
        expected = json.dumps({"Fn::Sub": f"/aws/lambda/{function_name}"})
        assert expected in groups, name
        assert groups[expected] in as_list(function.get("DependsOn", [])), name


def test_failure_queues_keep_messages_fourteen_days() -> None:
    template = transformed_template()
    destinations: Counter[str] = Counter()
    for config in resources_of_type(template, "AWS::Lambda::EventInvokeConfig").values():
        on_failure = config["Properties"]["DestinationConfig"]["OnFailure"]
        destinations[_referenced_resource(on_failure["Destination"]) or "?"] += 1
    for rule in resources_of_type(template, "AWS::Events::Rule").values():
        for target in rule["Properties"]["Targets"]:
            if "DeadLetterConfig" in target:
                destinations[_referenced_resource(target["DeadLetterConfig"]["Arn"]) or "?"] += 1
    for function in resources_of_type(template, "AWS::Lambda::Function").values():
        dead_letters = function["Properties"].get("DeadLetterConfig")
        if dead_letters:
            destinations[_referenced_resource(dead_letters["TargetArn"]) or "?"] += 1

    assert destinations, "failures must go somewhere"
    for logical_id in destinations:
        queue = template["Resources"][logical_id]
        assert queue["Type"] == "AWS::SQS::Queue", logical_id
        assert queue["Properties"]["MessageRetentionPeriod"] == FOURTEEN_DAYS, logical_id


# ---- no secrets in the functions' environment --------------------------------------------

_SECRET_NAME = re.compile(
    r"SECRET|PASSW|PASSPHRASE|PWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b"  # AWS key ids
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\."  # JWT
    r"|\b(ghp|gho|ghs|github_pat|xox[abprs]|sk_live|glpat)[-_][A-Za-z0-9_]{10,}"
    r"|(password|passwd|secret|token)\s*[=:]",
    re.IGNORECASE,
)
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def _literal_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _literal_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _literal_strings(item)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def secret_looking_variables(variables: Mapping[str, Any]) -> list[str]:
    """Names of environment variables that look like they carry a secret."""
    found = []
    for name, value in variables.items():
        texts = list(_literal_strings(value))
        if (
            _SECRET_NAME.search(name)
            or any(_SECRET_VALUE.search(text) or _AWS_SECRET_KEY.search(text) for text in texts)
            # Long random-looking literals (keys, tokens) rather than names and settings.
            or any(len(text) >= 24 and " " not in text and _entropy(text) > 4.2 for text in texts)
        ):
            found.append(name)
    return found


@pytest.mark.parametrize(
    "variables",
    [
        {"AWS_SECRET_ACCESS_KEY": "x"},
        {"DB_PASSWORD": {"Ref": "Password"}},
        {"SLACK_TOKEN": "abc"},
        {"GITHUB_API_KEY": "abc"},
        {"KEY_ID": "AKIAIOSFODNN7EXAMPLE"},
        {"SIGNING": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
        {"DSN": {"Fn::Sub": "postgres://app:password=hunter2@db:5432/app"}},
        {"WEBHOOK": "xoxb-123456789012-abcdefghijklmnop"},
        {"BLOB": "q8Zt3vN1xW0pL7rK2mB9cY5uJ4hG6fD"},
    ],
)
def test_the_secret_detector_recognises_secrets(variables: dict[str, Any]) -> None:
    assert secret_looking_variables(variables) == list(variables)


def test_no_function_environment_carries_secrets_or_credentials() -> None:
    template = transformed_template()
    functions = resources_of_type(template, "AWS::Lambda::Function")
    assert len(functions) == 3  # the enforcer, the sweeper and (organization mode) its worker
    for name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert "POWERTOOLS_SERVICE_NAME" in variables  # the scan sees the real environment
        assert secret_looking_variables(variables) == [], name
        # Settings point at where secrets would be (SSM, roles), they never hold one.
        assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} & set(
            variables
        ), name


# ---- the EventBridge rule ----------------------------------------------------------------


def _enforcer_rule() -> dict[str, Any]:
    rules = resources_of_type(transformed_template(), "AWS::Events::Rule")
    (rule,) = (
        r
        for r in rules.values()
        if any(_refers_to(t["Arn"], "EnforcerFunction") for t in r["Properties"]["Targets"])
        # The default bus's rule; the organization bus's rule has the same pattern
        # (tests/unit/template/test_organization_template.py).
        and "EventBusName" not in r["Properties"]
    )
    return rule


def _matcher() -> EventPattern:
    return EventPattern.load(json.dumps(enforcer_rule_pattern()))


def test_rule_pattern_names_only_successful_endpoint_changes_from_ec2() -> None:
    rule = _enforcer_rule()["Properties"]
    pattern = rule["EventPattern"]
    assert pattern["source"] == ["aws.ec2"]
    assert pattern["detail-type"] == ["AWS API Call via CloudTrail"]
    assert pattern["detail"]["eventSource"] == ["ec2.amazonaws.com"]
    # Exactly the calls the intake handles (tag calls only on endpoints: see the $or branch)
    names = {name for branch in pattern["detail"]["$or"] for name in branch["eventName"]}
    assert names == set(WATCHED_CALLS)
    assert pattern["detail"]["errorCode"] == [{"exists": False}]
    assert [_referenced_resource(t["Arn"]) for t in rule["Targets"]] == ["EnforcerFunction"]


def _mutations() -> list[tuple[str, str, Any]]:
    """(description, dotted path in the event, new value or _NO_VALUE to delete)."""
    return [
        ("failed call", "detail.errorCode", "Client.UnauthorizedOperation"),
        ("dry run", "detail.errorCode", "Client.DryRunOperation"),
        ("server fault", "detail.errorCode", "Server.InternalError"),
        ("delete", "detail.eventName", "DeleteClientVpnEndpoint"),
        ("other Client VPN call", "detail.eventName", "ExportClientVpnClientConfiguration"),
        ("other case", "detail.eventName", "modifyclientvpnendpoint"),
        ("prefix only", "detail.eventName", "ModifyClientVpnEndpointAttribute"),
        ("other service", "detail.eventSource", "ec2-instance-connect.amazonaws.com"),
        ("no event source", "detail.eventSource", _NO_VALUE),
        ("other source", "source", "custom.ec2"),
        ("other detail-type", "detail-type", "AWS Service Event via CloudTrail"),
    ]


def _set_path(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    *parents, last = path.split(".")
    target = changed
    for part in parents:
        target = target[part]
    if value is _NO_VALUE:
        target.pop(last, None)
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    "sample",
    ["create_endpoint_noncompliant", "modify_endpoint_by_user", "modify_endpoint_by_iam_user"],
)
def test_rule_pattern_rejects_every_near_miss_of_a_matching_event(sample: str) -> None:
    # Given a sample that the deployed rule matches (a real EventBridge matching engine)
    pattern = enforcer_rule_pattern()
    event = load_event(sample)
    assert matches(pattern, event)

    # When one thing about it changes, Then the rule no longer matches
    for description, path, value in _mutations():
        assert not matches(pattern, _set_path(event, path, value)), description


# ---- checkov: skips are per resource, reasoned, and reviewed here ------------------------

EXPECTED_SKIPS = {
    ("EnforcerFunction", "CKV_AWS_116"),  # on-failure destination instead of a DLQ
    ("EnforcerFunction", "CKV_AWS_117"),  # calls AWS APIs only: no VPC
    ("SweeperFunction", "CKV_AWS_116"),
    ("SweeperFunction", "CKV_AWS_117"),
    ("SweepWorkerFunction", "CKV_AWS_116"),  # SQS-invoked: the queue's redrive, not a DLQ
    ("SweepWorkerFunction", "CKV_AWS_117"),
    ("SweepWorkerFunction", "CKV_AWS_115"),  # capped by the mapping's MaximumConcurrency
}


def test_checkov_skips_are_per_resource_with_a_written_reason() -> None:
    # Given every checkov skip in the template as written
    skips = set()
    for name, resource in source_template()["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            # Then each names one check and says why it does not fit this product
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
            assert len(str(skip.get("comment", "")).split()) >= 8, (name, skip)
            skips.add((name, skip["id"]))
    # And a new skip is a reviewed change of this list, not a quiet edit of the template
    assert skips == EXPECTED_SKIPS
    # And nothing skips or soft-fails checks globally
    for config in (".checkov.yaml", ".checkov.yml"):
        assert not (REPO / config).exists()
    makefile = (REPO / "Makefile").read_text()
    # The lines that run checkov: its command and the continuation lines of that command.
    lines = makefile.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("$(CHECKOV) "))
    end = next(i for i in range(start, len(lines)) if not lines[i].endswith("\\"))
    checkov_lines = lines[start : end + 1]
    assert any("--skip-download" in line for line in checkov_lines)
    for forbidden in ("--skip-check", "--soft-fail", "--check ", "--skip-framework"):
        assert not any(forbidden in line for line in checkov_lines), forbidden


def test_checkov_is_pinned_exactly_and_locked() -> None:
    tool = REPO / "tools" / "checkov"
    (pin,) = tomllib.loads((tool / "pyproject.toml").read_text())["project"]["dependencies"]
    assert re.fullmatch(r"checkov==\d+\.\d+\.\d+", pin)
    locked = tomllib.loads((tool / "uv.lock").read_text())["package"]
    assert {"name": "checkov", "version": pin.split("==")[1]}.items() <= next(
        p for p in locked if p["name"] == "checkov"
    ).items()
