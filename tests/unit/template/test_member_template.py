"""org/member.yaml: forwards the enforcer's events and grants exactly the enforcer's EC2 rights."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from moto.events.models import EventPattern
from samtranslator.yaml_helper import yaml_parse

from cvpn_guard.extra_reads import EXTRA_READS
from tests.support.events import load_event, sample_names
from tests.support.template import (
    REPO,
    Deployed,
    allowed,
    enforcer_rule_pattern,
    source_template,
)

MEMBER_TEMPLATE = REPO / "org" / "member.yaml"
CENTRAL_ROLES = "arn:aws:iam::111111111111:role/enforcer,arn:aws:iam::111111111111:role/sweeper"
PARAMETERS = {
    "CentralEventBusArn": "arn:aws:events:eu-west-1:111111111111:event-bus/cvpn-guard-org",
    "CentralRoleArns": CENTRAL_ROLES,
    "OrganizationId": "o-a1b2c3d4e5",
    "RoleRegion": "eu-west-1",  # the region Deployed deploys in (PSEUDO_PARAMETERS)
}
MEMBER_ROLE_ARN = "arn:aws:iam::123456789012:role/cvpn-guard-member"
ENDPOINT_STATEMENTS = (
    "DescribeClientVpn",
    "ReadClientVpnEndpoints",
    "ModifyClientVpnEndpoints",
    "FixWhatModifyCannot",
    "DeleteRoutesThroughThisAccountsSubnets",
    "ApplySecurityGroupsOfThisAccountsVpcs",
    "NameTheEndpointsVpc",
)


@cache
def _member_source() -> str:
    return MEMBER_TEMPLATE.read_text()


def member(**parameters: str) -> Deployed:
    template = copy.deepcopy(yaml_parse(_member_source()))
    deployed = Deployed(template, **{**PARAMETERS, **parameters})
    # CommaDelimitedList: CloudFormation hands the template a list.
    deployed.parameters["CentralRoleArns"] = parameters.get("CentralRoleArns", CENTRAL_ROLES).split(
        ","
    )
    return deployed


def _own_roles_normalized(pattern: dict[str, Any]) -> dict[str, Any]:
    """The pattern with the list of "our own roles" (which differ by design) blanked."""
    copied = copy.deepcopy(pattern)
    arn = copied["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    for item in arn:
        if "anything-but" in item:
            item["anything-but"] = ["<cvpn-guard's own roles>"]
    return copied


def test_forwarded_pattern_is_the_enforcer_rules_pattern() -> None:
    # Given the member rule's pattern and the central enforcer rule's pattern
    forwarded = member().resource("ForwardEndpointChanges")["EventPattern"]

    # Then they select the same events; only "our own role" differs (here the member role)
    assert _own_roles_normalized(forwarded) == _own_roles_normalized(enforcer_rule_pattern())
    arn = forwarded["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    assert arn[0] == {"anything-but": [MEMBER_ROLE_ARN]}


# The enforcer's own sample is made by the central role, which never calls EC2 in a member
# account (it acts there through cvpn-guard-member: the test after this one).
@pytest.mark.parametrize(
    "sample", [s for s in sample_names() if s != "modify_endpoint_by_enforcer"]
)
def test_forwarded_pattern_matches_what_the_enforcer_rule_matches(sample: str) -> None:
    forwarded = EventPattern.load(
        json.dumps(member().resource("ForwardEndpointChanges")["EventPattern"])
    )
    central = EventPattern.load(json.dumps(enforcer_rule_pattern()))
    event = load_event(sample)
    assert forwarded.matches_event(event) is central.matches_event(event)


def test_the_central_enforcers_own_fixes_through_the_member_role_are_not_forwarded() -> None:
    event = load_event("modify_endpoint_by_enforcer")
    event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = MEMBER_ROLE_ARN
    forwarded = member().resource("ForwardEndpointChanges")["EventPattern"]
    assert not EventPattern.load(json.dumps(forwarded)).matches_event(event)


def test_events_go_to_the_central_bus_with_a_role_that_may_only_put_there() -> None:
    deployed = member()
    (target,) = deployed.resource("ForwardEndpointChanges")["Targets"]
    assert target["Arn"] == PARAMETERS["CentralEventBusArn"]
    assert target["RoleArn"] == "<ForwardRole.Arn>"
    (statement,) = deployed.statements("ForwardRole")
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == PARAMETERS["CentralEventBusArn"]
    trust = deployed.resource("ForwardRole")["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_member_role_has_a_fixed_name_and_trusts_only_the_central_roles_in_the_org() -> None:
    properties = member().resource("MemberRole")
    assert properties["RoleName"] == "cvpn-guard-member"
    (trust,) = properties["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Effect"] == "Allow"
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {"AWS": CENTRAL_ROLES.split(",")}
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def test_member_role_is_created_in_one_region_only() -> None:
    # IAM is global and the name fixed: a second region's instance would collide.
    assert member().condition("CreateMemberRole")
    assert not member(RoleRegion="us-east-1").condition("CreateMemberRole")
    template = yaml_parse(_member_source())
    assert template["Resources"]["MemberRole"]["Condition"] == "CreateMemberRole"
    assert template["Outputs"]["MemberRoleArn"]["Condition"] == "CreateMemberRole"


def _region_free(statement: dict[str, Any]) -> dict[str, Any]:
    # The central grant names its region; the member role is global, so every region.
    return dict(json.loads(json.dumps(statement).replace(":eu-west-1:", ":*:")))


@pytest.mark.parametrize("tagged_only", ["true", "false"])
def test_member_role_grants_exactly_the_enforcers_endpoint_statements(tagged_only: str) -> None:
    # Given the central RemediatorPolicy and the member role, with the same tag scope
    central = Deployed(source_template(), ModifyOnlyTaggedEndpoints=tagged_only)
    deployed = member(ModifyOnlyTaggedEndpoints=tagged_only)

    # Then the member role has those statements (any region of its account), the sweeper's
    # CloudTrail reads for the organization report, and nothing else
    expected = [
        _region_free(central.statement("RemediatorPolicy", sid)) for sid in ENDPOINT_STATEMENTS
    ] + [central.statement("SweeperRole", "SeeWhetherCloudTrailLogs")]
    assert deployed.statements("MemberRole") == expected


@pytest.mark.parametrize(
    "action",
    [
        "ec2:DescribeClientVpnConnections",
        # every read a rule may need on the endpoint's own resource (the rules' data table)
        *(extra.iam_action for extra in EXTRA_READS if extra.resource == "client-vpn-endpoint"),
    ],
)
@pytest.mark.parametrize(
    ("region", "account", "expected"),
    [
        ("eu-west-1", "123456789012", True),
        ("ap-south-1", "123456789012", True),  # the role is global: every region of its account
        ("eu-west-1", "210987654321", False),
    ],
)
def test_the_member_role_reads_endpoints_of_its_own_account_only(
    action: str, region: str, account: str, expected: bool
) -> None:
    # Given the member role's permissions
    statements = member().statements("MemberRole")

    # When the central function reads one endpoint through it (client-vpn-endpoint* in the
    # Service Authorization Reference: EC2 authorizes the endpoint's ARN)
    endpoint = f"arn:aws:ec2:{region}:{account}:client-vpn-endpoint/cvpn-endpoint-0d2c4e6f8a0b1c3d5"
    verdict = allowed(statements, action, {endpoint: {}}, {"aws:RequestedRegion": region})

    # Then endpoints of the member account are readable in any region, nobody else's
    assert verdict == {endpoint: expected}


def test_the_member_role_imports_security_hub_findings_only_when_asked() -> None:
    assert [p["PolicyName"] for p in member().resource("MemberRole")["Policies"]] == [
        "enforce-client-vpn",
        "see-cloudtrail",
    ]
    deployed = member(SecurityHubFindings="true")
    statements = {s["Sid"]: s for s in deployed.statements("MemberRole")}
    assert statements["ImportFindings"]["Action"] == "securityhub:BatchImportFindings"
    assert statements["ImportFindings"]["Resource"] == (
        "arn:aws:securityhub:*:123456789012:product/123456789012/default"
    )
    assert statements["SetWorkflowOfOurFindings"]["Resource"] == (
        "arn:aws:securityhub:*:123456789012:hub/default"
    )
    assert statements["ReadFindings"]["Action"] == "securityhub:GetFindings"
    assert statements["ReadFindings"]["Resource"] == (
        "arn:aws:securityhub:*:123456789012:hub/default"
    )
