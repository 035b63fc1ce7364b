"""What template.yaml becomes once deployed with given parameter values.

Every test evaluates the template's intrinsic functions (tests/support/template.py: Deployed)
for the parameter values it names, on the template as written and as the SAM translator
expands it: the values IAM, SNS, SQS and KMS will enforce.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from cvpn_guard.extra_reads import EXTRA_READS
from tests.support.template import (
    PSEUDO_PARAMETERS,
    Deployed,
    allowed,
    as_list,
    condition_holds,
    source_template,
    statement_applies,
    transformed_template,
)

ACCOUNT = PSEUDO_PARAMETERS["AWS::AccountId"]
REGION = PSEUDO_PARAMETERS["AWS::Region"]
STACK = PSEUDO_PARAMETERS["AWS::StackName"]

TEMPLATES: dict[str, Callable[[], dict[str, Any]]] = {
    "source": source_template,
    "transformed": transformed_template,
}


@pytest.fixture(params=sorted(TEMPLATES))
def template(request: pytest.FixtureRequest) -> dict[str, Any]:
    return TEMPLATES[request.param]()


# ---- the policy parameter's ARN ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{STACK}/policy"),
        ("/org/cvpn/policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/org/cvpn/policy"),
        ("/cvpn-policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cvpn-policy"),
        ("cvpn-policy", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/cvpn-policy"),
    ],
)
def test_policy_can_be_read_whether_or_not_its_name_starts_with_a_slash(
    template: dict[str, Any], name: str, arn: str
) -> None:
    # Given the stack deployed with this PolicyParameterName (empty: the stack's own parameter)
    deployed = Deployed(template, PolicyParameterName=name)

    # When the functions' read grant is evaluated
    statement = deployed.statement("RemediatorPolicy", "ReadPolicy")

    # Then it names exactly the parameter's ARN: "parameter" + "/org/..." for a hierarchical
    # name, "parameter/" + name for a plain one; never "parameter//org/..." (GetParameter denied)
    assert statement["Action"] == "ssm:GetParameter"
    assert statement["Resource"] == arn
    assert "parameter//" not in statement["Resource"]


# ---- ModifyClientVpnEndpoint with SecurityGroupIds and VpcId -----------------------------

MODIFY = "ec2:ModifyClientVpnEndpoint"
MANAGED_TAG = "aws:ResourceTag/cvpn-guard:managed"


def _role_statements(deployed: Deployed, role: str) -> list[dict[str, Any]]:
    """What one function's role may do: the shared managed policy and its inline policies."""
    return deployed.statements("RemediatorPolicy") + deployed.statements(role)


def _security_groups_fix(region: str, *, tagged: bool) -> dict[str, dict[str, Any]]:
    """The resources of the security-groups fix (SecurityGroupIds + VpcId) and their keys."""
    vpc = f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/vpc-0a1b2c3d4e5f60718"
    endpoint_keys = {MANAGED_TAG: "true"} if tagged else {}
    return {
        f"arn:aws:ec2:{region}:{ACCOUNT}:client-vpn-endpoint/cvpn-endpoint-0d2c4e6f8a0b1c3d5": (
            endpoint_keys
        ),
        f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/sg-0123456789abcdef0": {"ec2:Vpc": vpc},
        f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/sg-0fedcba9876543210": {"ec2:Vpc": vpc},
        vpc: {},
    }


@pytest.mark.parametrize("tagged_only", ["true", "false"])
@pytest.mark.parametrize("role", ["EnforcerRole", "SweeperRole"])
def test_security_groups_fix_is_allowed_on_every_resource_it_names(
    template: dict[str, Any], role: str, tagged_only: str
) -> None:
    # Given either function's permissions, with or without ModifyOnlyTaggedEndpoints
    deployed = Deployed(template, ModifyOnlyTaggedEndpoints=tagged_only)
    statements = _role_statements(deployed, role)

    # When it sends the security-groups fix to a tagged endpoint of this region
    verdict = allowed(
        statements,
        MODIFY,
        _security_groups_fix(REGION, tagged=True),
        {"aws:RequestedRegion": REGION},
    )

    # Then the endpoint, both groups and the VPC are each allowed (EC2 authorizes all four)
    assert all(verdict.values()), verdict


@pytest.mark.parametrize("role", ["EnforcerRole", "SweeperRole"])
def test_untagged_endpoints_stay_out_of_reach_when_groups_and_vpcs_are_allowed(
    template: dict[str, Any], role: str
) -> None:
    # Given ModifyOnlyTaggedEndpoints=true
    deployed = Deployed(template, ModifyOnlyTaggedEndpoints="true")

    # When the security-groups fix targets an endpoint without the cvpn-guard:managed tag
    verdict = allowed(
        _role_statements(deployed, role),
        MODIFY,
        _security_groups_fix(REGION, tagged=False),
        {"aws:RequestedRegion": REGION},
    )

    # Then the endpoint is refused (so is the request): the grants on groups and VPCs,
    # which carry no tag condition, never make an untagged endpoint modifiable
    endpoint, *others = verdict
    assert verdict[endpoint] is False
    assert all(verdict[arn] for arn in others), verdict


@pytest.mark.parametrize(("region", "expected"), [("us-east-1", True), ("ap-south-1", False)])
def test_sweeper_applies_security_groups_only_in_the_swept_regions(
    template: dict[str, Any], region: str, expected: bool
) -> None:
    # Given a stack that sweeps its own region and us-east-1
    deployed = Deployed(template, SweepRegions=f"{REGION},us-east-1")

    # When the sweeper sends the security-groups fix in another region
    verdict = allowed(
        _role_statements(deployed, "SweeperRole"),
        MODIFY,
        _security_groups_fix(region, tagged=True),
        {"aws:RequestedRegion": region},
    )

    # Then every resource is allowed in a swept region, and none elsewhere
    assert set(verdict.values()) == {expected}, verdict


def test_security_groups_must_belong_to_a_vpc_of_this_account(template: dict[str, Any]) -> None:
    # Given the enforcer's permissions
    statements = _role_statements(Deployed(template), "EnforcerRole")

    # When a group of this account's ARN sits in another account's VPC (a shared VPC)
    group = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0"
    foreign_vpc = f"arn:aws:ec2:{REGION}:210987654321:vpc/vpc-0a1b2c3d4e5f60718"
    verdict = allowed(statements, MODIFY, {group: {"ec2:Vpc": foreign_vpc}})

    # Then it is refused: the grant is scoped by ec2:Vpc, the reference's key for the group
    assert verdict == {group: False}


# ---- reads of one endpoint: its connections (user names, client IPs), rules and routes ---

# The user count, and every read a rule may need on the endpoint's own resource (the rules'
# data table: a new kind of data is granted here or this test fails).
ENDPOINT_READS = [
    "ec2:DescribeClientVpnConnections",
    *(extra.iam_action for extra in EXTRA_READS if extra.resource == "client-vpn-endpoint"),
]
UNSCOPED_READS = [
    "ec2:DescribeClientVpnEndpoints",
    *(extra.iam_action for extra in EXTRA_READS if extra.resource == "*"),
]
OTHER_ACCOUNT = "210987654321"


def _endpoint(region: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{account}:client-vpn-endpoint/cvpn-endpoint-0d2c4e6f8a0b1c3d5"


@pytest.mark.parametrize("action", ENDPOINT_READS)
@pytest.mark.parametrize(
    ("role", "place", "expected"),
    [
        ("EnforcerRole", (REGION, ACCOUNT), True),
        ("EnforcerRole", ("us-east-1", ACCOUNT), False),  # the enforcer works in its region
        ("EnforcerRole", (REGION, OTHER_ACCOUNT), False),
        ("SweeperRole", (REGION, ACCOUNT), True),
        ("SweeperRole", ("us-east-1", ACCOUNT), True),  # a swept region
        ("SweeperRole", ("ap-south-1", ACCOUNT), False),  # not swept
        ("SweeperRole", ("us-east-1", OTHER_ACCOUNT), False),
    ],
)
def test_endpoint_reads_reach_only_this_accounts_endpoints_where_the_function_works(
    template: dict[str, Any], action: str, role: str, place: tuple[str, str], expected: bool
) -> None:
    # Given a stack that sweeps its own region and us-east-1
    deployed = Deployed(template, SweepRegions=f"{REGION},us-east-1")

    # When the function reads one endpoint (the Service Authorization Reference lists
    # client-vpn-endpoint* for these actions: EC2 authorizes the endpoint's ARN)
    region, account = place
    endpoint = _endpoint(region, account)
    verdict = allowed(
        _role_statements(deployed, role), action, {endpoint: {}}, {"aws:RequestedRegion": region}
    )

    # Then only endpoints of this account, in the regions the function works in, are readable
    assert verdict == {endpoint: expected}


@pytest.mark.parametrize("action", UNSCOPED_READS)
@pytest.mark.parametrize("role", ["EnforcerRole", "SweeperRole"])
def test_describes_without_a_resource_type_stay_on_every_resource(
    template: dict[str, Any], action: str, role: str
) -> None:
    # Given either function's permissions, When it lists endpoints or security groups (actions
    # with no resource type in the reference: IAM evaluates them against "*")
    statements = _role_statements(Deployed(template), role)

    # Then they are allowed
    assert allowed(statements, action, {"*": {}}, {"aws:RequestedRegion": REGION}) == {"*": True}


# ---- connection logs: no permission that pretends to limit the log group -----------------


@pytest.mark.parametrize("role", ["EnforcerRole", "SweeperRole"])
def test_functions_hold_logs_permissions_only_for_their_own_log_groups(
    template: dict[str, Any], role: str
) -> None:
    # Given either function's permissions
    deployed = Deployed(template)
    own_groups = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{STACK}-*"

    # When every statement granting a CloudWatch Logs action is listed
    grants = [
        statement
        for statement in _role_statements(deployed, role)
        if any(str(action).startswith("logs:") for action in as_list(statement["Action"]))
    ]

    # Then they cover the functions' own log streams only: Client VPN's service-linked role
    # writes connection logs, so a logs: grant on a connection log group is never used (and
    # could only suggest a limit on the group that IAM does not enforce)
    assert grants
    for statement in grants:
        for resource in as_list(statement["Resource"]):
            assert resource.startswith(own_groups), statement
        assert set(as_list(statement["Action"])) <= {"logs:CreateLogStream", "logs:PutLogEvents"}


def test_no_parameter_promises_a_connection_log_group(template: dict[str, Any]) -> None:
    # Given the template's parameters, Then none claims to limit where connection logs go
    for name, spec in template["Parameters"].items():
        assert "ConnectionLog" not in name, name
        assert "log group" not in spec.get("Description", "").lower(), name


# ---- the enforcer's reserved concurrency ---------------------------------------------------


@pytest.mark.parametrize(("value", "reserved"), [("", None), ("1", "1"), ("10", "10")])
def test_enforcer_reserves_concurrency_only_when_asked(
    template: dict[str, Any], value: str, reserved: str | None
) -> None:
    # Given the stack deployed with this EnforcerReservedConcurrency (default: empty)
    deployed = Deployed(template, EnforcerReservedConcurrency=value)

    # When the enforcer function's properties are evaluated
    properties = deployed.resource("EnforcerFunction")

    # Then it reserves exactly that, and nothing when empty: an account whose unreserved
    # concurrency is below 100 + the reservation could not deploy the stack otherwise
    assert properties.get("ReservedConcurrentExecutions") == reserved


def test_enforcer_reserves_no_concurrency_by_default(template: dict[str, Any]) -> None:
    assert template["Parameters"]["EnforcerReservedConcurrency"]["Default"] == ""
    assert "ReservedConcurrentExecutions" not in Deployed(template).resource("EnforcerFunction")


@pytest.mark.parametrize(("value", "reserved"), [("", None), ("1", "1"), ("2", "2")])
def test_sweeper_reserves_concurrency_only_when_asked(
    template: dict[str, Any], value: str, reserved: str | None
) -> None:
    # Given the stack deployed with this SweeperReservedConcurrency (default: empty)
    deployed = Deployed(template, SweeperReservedConcurrency=value)

    # When the sweeper function's properties are evaluated
    properties = deployed.resource("SweeperFunction")

    # Then it reserves exactly that and nothing when empty, like the enforcer: a fixed
    # reservation of 1 kept accounts with a quota below 101 from deploying the stack
    assert properties.get("ReservedConcurrentExecutions") == reserved


def test_the_stack_reserves_no_concurrency_by_default(template: dict[str, Any]) -> None:
    # Given the stack deployed with its defaults
    deployed = Deployed(template)

    # Then neither function reserves concurrency: an account with a regional quota of 10
    # (Lambda keeps 100 unreserved, so it can reserve nothing) deploys the stack
    for function in ("EnforcerFunction", "SweeperFunction"):
        assert "ReservedConcurrentExecutions" not in deployed.resource(function), function
    assert template["Parameters"]["SweeperReservedConcurrency"]["Default"] == ""


RESERVED_CONCURRENCY = ["EnforcerReservedConcurrency", "SweeperReservedConcurrency"]


@pytest.mark.parametrize("parameter", RESERVED_CONCURRENCY)
@pytest.mark.parametrize("value", ["", "1", "10", "9999"])
def test_reserved_concurrency_accepts_empty_or_1_to_9999(parameter: str, value: str) -> None:
    pattern = source_template()["Parameters"][parameter]["AllowedPattern"]
    assert re.fullmatch(pattern, value)


@pytest.mark.parametrize("parameter", RESERVED_CONCURRENCY)
@pytest.mark.parametrize("value", ["0", "-1", " 10", "10 ", "ten", "10000", "1.5"])
def test_reserved_concurrency_rejects_anything_else(parameter: str, value: str) -> None:
    # Given the parameter's AllowedPattern (CloudFormation matches it against the whole value)
    pattern = source_template()["Parameters"][parameter]["AllowedPattern"]

    # Then 0 (which would throttle every invocation), spaces and non-numbers are refused
    assert re.fullmatch(pattern, value) is None


# ---- SweepRegions: what IAM splits is what the sweeper was given -------------------------


def _sweep_regions_pattern() -> str:
    pattern: str = source_template()["Parameters"]["SweepRegions"]["AllowedPattern"]
    return pattern


@pytest.mark.parametrize(
    "value",
    ["", "eu-west-1", "eu-west-1,us-east-1", "us-gov-west-1,cn-north-1", "eusc-de-east-1"],
)
def test_sweep_regions_accepts_region_names_separated_by_commas(
    template: dict[str, Any], value: str
) -> None:
    # Given a value the parameter accepts
    assert re.fullmatch(_sweep_regions_pattern(), value)

    # When the sweeper's cross-region grant is evaluated with it
    statement = Deployed(template, SweepRegions=value).statement(
        "SweeperRole", "ModifyClientVpnEndpointsInSweptRegions"
    )

    # Then aws:RequestedRegion lists exactly those regions (this stack's when empty)
    regions = statement["Condition"]["StringEquals"]["aws:RequestedRegion"]
    assert regions == (value.split(",") if value else [REGION])


@pytest.mark.parametrize(
    "value",
    [
        "eu-west-1, us-east-1",  # the split would give " us-east-1": no region matches it
        " eu-west-1",
        "eu-west-1 ",
        "eu-west-1,",
        ",eu-west-1",
        "eu-west-1,,us-east-1",
        "EU-WEST-1",
        "eu west 1",
        "eu-west-1;us-east-1",
    ],
)
def test_sweep_regions_rejects_spaces_and_empty_items(value: str) -> None:
    # Given the parameter's AllowedPattern (CloudFormation matches the whole value)
    # Then values the IAM condition would split into non-regions are refused at deploy time
    assert re.fullmatch(_sweep_regions_pattern(), value) is None


# ---- the key policy: each service principal for its own resource only --------------------


def _enforcer_rule_name(template: dict[str, Any], deployed: Deployed) -> str:
    if "EnforcerFunctionClientVpnEndpointChanged" in template["Resources"]:
        name: str = deployed.resource("EnforcerFunctionClientVpnEndpointChanged")["Name"]
        return name
    events = deployed.resource("EnforcerFunction")["Events"]
    rule: str = events["ClientVpnEndpointChanged"]["Properties"]["RuleName"]
    return rule


@pytest.mark.parametrize("service", ["sns.amazonaws.com", "events.amazonaws.com"])
def test_key_serves_each_service_only_for_the_stacks_own_topic_or_rule(
    template: dict[str, Any], service: str
) -> None:
    # Given the key policy as deployed, and the ARN of the one resource each service acts for
    deployed = Deployed(template)
    (statement,) = [
        s
        for s in deployed.statements("CvpnGuardKey")
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": service}
    ]
    if service == "sns.amazonaws.com":
        topic = deployed.resource("NotificationTopic")["TopicName"]
        own = f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic}"
        other = f"arn:aws:sns:{REGION}:{ACCOUNT}:someone-elses-topic"
    else:
        own = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{_enforcer_rule_name(template, deployed)}"
        other = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{STACK}-another-rule"
    condition = statement["Condition"]

    # When the service asks for the key on behalf of a resource, Then only ours is served
    assert condition_holds(condition, {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": own})
    assert not condition_holds(condition, {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": other})
    assert not condition_holds(
        condition, {"aws:SourceAccount": "210987654321", "aws:SourceArn": own}
    )
    # And a request without a source (a direct call) is not served either
    assert not condition_holds(condition, {"aws:SourceAccount": ACCOUNT})


# ---- the topic and the queue refuse requests without TLS ---------------------------------

RESOURCE_POLICIES = {
    # policy -> (the resource it protects, what a caller does to it)
    "NotificationTopicPolicy": (
        "NotificationTopic",
        ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes"],
    ),
    "FailureQueuePolicy": (
        "FailureQueue",
        ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:PurgeQueue"],
    ),
}


@pytest.mark.parametrize("policy", sorted(RESOURCE_POLICIES))
def test_topic_and_queue_deny_every_request_without_tls(
    template: dict[str, Any], policy: str
) -> None:
    # Given the topic's or the queue's policy as deployed
    deployed = Deployed(template)
    target, actions = RESOURCE_POLICIES[policy]
    resource = deployed.value(
        {"Ref": target} if target == "NotificationTopic" else {"Fn::GetAtt": [target, "Arn"]}
    )
    denies = [s for s in deployed.statements(policy) if s["Effect"] == "Deny"]

    for action in actions:
        # When anyone (even the account's administrators) calls it over plain HTTP
        plain = {"aws:SecureTransport": "false", "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:root"}
        # Then a Deny for every principal applies; over TLS that Deny does not
        assert any(
            s["Principal"] in ("*", {"AWS": "*"}) and statement_applies(s, action, resource, plain)
            for s in denies
        ), (policy, action)
        over_tls = {**plain, "aws:SecureTransport": "true"}
        tls_denies = [
            s
            for s in denies
            if "aws:SecureTransport" in str(s.get("Condition"))
            and statement_applies(s, action, resource, over_tls)
        ]
        assert tls_denies == [], (policy, action)
