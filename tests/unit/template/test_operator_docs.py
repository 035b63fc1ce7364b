"""What the operator documents (docs/deploy.md, docs/security.md) say about the deployed stack,
checked against the template and run where they are executable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from moto.events.models import EventPattern

from tests.support.template import (
    REPO,
    enforcer_rule_pattern,
    source_template,
    statement_applies,
)

# The documents an operator reads: the front page and what it links to in docs/.
DEPLOY = REPO / "docs" / "deploy.md"
SECURITY = REPO / "docs" / "security.md"
OPERATOR_DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _section(title: str, document: Path) -> str:
    """The text of the document's section (any level) with this heading, up to the next one."""
    text = document.read_text(encoding="utf-8")
    match = re.search(rf"^(#+) {re.escape(title)}\n(.*?)(?=^#{{1,3}} |\Z)", text, re.M | re.S)
    assert match, f"{document.relative_to(REPO)} has no section {title!r}"
    return match.group(2)


def _json_blocks(text: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def _cloudtrail_event(event_name: str, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "7f6d3c1e-0000-4000-8000-000000000001",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ssm",
        "account": "123456789012",
        "time": "2026-11-02T10:00:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.11",
            "eventSource": "ssm.amazonaws.com",
            "eventName": event_name,
            "awsRegion": "eu-west-1",
            "requestParameters": request,
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ci"},
        },
    }


# ---- the policy parameter: what its writers can do, and how to protect it ----------------


def test_the_security_doc_says_what_policy_writers_can_make_cvpn_guard_do() -> None:
    # Given docs/security.md's section on the policy parameter
    section = _section("Who can change the policy", SECURITY)

    # Then it names each thing a writer can point the enforcer at, and who may write
    for power in ("DNS servers", "client connect handler", "security groups", "log group"):
        assert power in section, power
    assert "ssm:PutParameter" in section
    # And it no longer promises that IAM confines connection logging to one group
    assert "| `ConnectionLogGroupName` |" not in _section("Deploy", DEPLOY)
    for document in OPERATOR_DOCS:
        assert "enable logging only into" not in document.read_text(encoding="utf-8"), document


@pytest.mark.parametrize(
    ("event_name", "request_parameters", "alerts"),
    [
        ("PutParameter", {"name": "/cvpn-guard/policy", "type": "String", "overwrite": True}, True),
        ("DeleteParameter", {"name": "/cvpn-guard/policy"}, True),
        ("PutParameter", {"name": "/cvpn-guard/other", "type": "String"}, False),
        ("GetParameter", {"name": "/cvpn-guard/policy"}, False),
    ],
)
def test_the_security_docs_alert_pattern_catches_writes_of_the_policy_parameter(
    event_name: str, request_parameters: dict[str, Any], alerts: bool
) -> None:
    # Given the EventBridge pattern docs/security.md recommends (moto's real matcher)
    section = _section("Who can change the policy", SECURITY)
    (pattern,) = [b for b in _json_blocks(section) if "source" in b]
    matcher = EventPattern.load(json.dumps(pattern))

    # When CloudTrail records a call on a parameter, Then only writes of the policy match
    event = _cloudtrail_event(event_name, request_parameters)
    assert matcher.matches_event(event) is alerts


def test_the_security_docs_parameter_deny_names_the_parameters_arn_and_the_write_actions() -> None:
    section = _section("Who can change the policy", SECURITY)
    (deny,) = [b for b in _json_blocks(section) if "Effect" in b]
    assert deny["Effect"] == "Deny"
    assert set(deny["Action"]) >= {"ssm:PutParameter", "ssm:DeleteParameter"}
    # "parameter/" + the name without its leading slash (the SSM ARN format)
    assert deny["Resource"].endswith(":parameter/cvpn-guard/policy")


# ---- the parameter table -----------------------------------------------------------------


def test_the_parameter_table_lists_every_parameter_of_the_template() -> None:
    # Given docs/deploy.md's parameter table (first column) and the template's parameters
    rows = re.findall(r"^\| `(\w+)` \|", _section("Deploy", DEPLOY), re.M)

    # Then they are the same, in the same order as the template
    assert rows == list(source_template()["Parameters"])


# ---- prerequisites of the deployed stack -------------------------------------------------


def test_deploy_section_names_a_logging_cloudtrail_trail_as_a_prerequisite() -> None:
    # Given the enforcer's trigger: a rule on CloudTrail-delivered API call events
    assert enforcer_rule_pattern()["detail-type"] == ["AWS API Call via CloudTrail"]

    # When docs/deploy.md's Deploy section is read before its first command
    deploy = _section("Deploy", DEPLOY)
    before_build = deploy[: deploy.index("make build")]

    # Then it asks for a trail that is logging management (write) events in every region
    assert "Prerequisite" in before_build
    for words in ("CloudTrail trail", "logging", "management events", "every region"):
        assert words in before_build, words


# ---- the cvpn-guard:managed tag ----------------------------------------------------------

ENDPOINT = "arn:aws:ec2:eu-west-1:123456789012:client-vpn-endpoint/cvpn-endpoint-0d2c4e6f8a0b1c3d5"
INSTANCE = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0"
ADMIN = "arn:aws:iam::123456789012:role/VpnAdmins"
DEVELOPER = "arn:aws:iam::123456789012:role/Developer"
MANAGED = "cvpn-guard:managed"


def _scp_denies(action: str, resource: str, context: dict[str, Any]) -> bool:
    (scp,) = _json_blocks(_section("Protecting the `cvpn-guard:managed` tag", SECURITY))
    return any(
        statement_applies(statement, action, resource, context)
        for statement in scp["Statement"]
        if statement["Effect"] == "Deny"
    )


@pytest.mark.parametrize(
    ("description", "action", "resource", "context", "denied"),
    [
        ("remove the tag", "ec2:DeleteTags", ENDPOINT, {"aws:TagKeys": [MANAGED]}, True),
        ("remove every tag", "ec2:DeleteTags", ENDPOINT, {}, True),
        (
            "set the tag to false",
            "ec2:CreateTags",
            ENDPOINT,
            {"aws:TagKeys": [MANAGED, "Owner"], f"aws:RequestTag/{MANAGED}": "false"},
            True,
        ),
        (
            "opt an endpoint in",
            "ec2:CreateTags",
            ENDPOINT,
            {"aws:TagKeys": [MANAGED], f"aws:RequestTag/{MANAGED}": "true"},
            False,
        ),
        (
            "tag something else",
            "ec2:CreateTags",
            ENDPOINT,
            {"aws:TagKeys": ["Owner"], "aws:RequestTag/Owner": "vpn-team"},
            False,
        ),
        ("remove another tag", "ec2:DeleteTags", ENDPOINT, {"aws:TagKeys": ["Owner"]}, False),
        ("untag an instance", "ec2:DeleteTags", INSTANCE, {"aws:TagKeys": [MANAGED]}, False),
    ],
)
def test_the_security_docs_scp_keeps_the_managed_tag_with_the_vpn_admins(
    description: str, action: str, resource: str, context: dict[str, Any], denied: bool
) -> None:
    # Given the SCP docs/security.md recommends for ModifyOnlyTaggedEndpoints=true
    # When someone who is not a VPN administrator tries this, Then the SCP decides as expected
    assert _scp_denies(action, resource, {**context, "aws:PrincipalArn": DEVELOPER}) is denied, (
        description
    )
    # And the VPN administrators are never stopped
    assert _scp_denies(action, resource, {**context, "aws:PrincipalArn": ADMIN}) is False, (
        description
    )
