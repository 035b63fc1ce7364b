"""An endpoint deployed by code says so: the stack or tag that owns it, and to fix it there too.

A fix cvpn-guard makes to an endpoint a CloudFormation stack or a Terraform workspace owns
lasts until the next deployment puts the declared value back. The owner is read from the
endpoint's tags (CloudFormation's ``aws:cloudformation:*``, or a key of the policy's
``iac_owner_tags``) and shown in the JSON, the text of notices and tables, chat and CSV.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from cvpn_guard.cli.plan_view import render_plan_text
from cvpn_guard.exceptions import PolicyError
from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.planning import EndpointPlan, PlannedCall
from cvpn_guard.policy import default_policy, load_policy
from cvpn_guard.report import (
    EndpointOwner,
    EndpointReport,
    ReportChange,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    endpoint_details,
    endpoint_owner,
    render_csv,
    render_summary,
    render_table,
)
from cvpn_guard.report.chat import chat_notification

STACK_TAGS = {
    "Name": "vpn-prod",
    "aws:cloudformation:stack-name": "network-vpn",
    "aws:cloudformation:stack-id": (
        "arn:aws:cloudformation:eu-west-1:123456789012:stack/network-vpn/1b2c3d4e"
    ),
    "aws:cloudformation:logical-id": "DriftedVpn",
}
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
FINDING = Finding(
    rule="session-timeout",
    severity="medium",
    expected=12,
    actual=24,
    remediable=True,
    disruptive=True,
    controls=("nist-800-53/AC-12", "nist-800-53/CM-6"),
)


def _report(owner: EndpointOwner | None, *findings: Finding, **kw: object) -> EndpointReport:
    status = EndpointStatus.NON_COMPLIANT if findings else EndpointStatus.COMPLIANT
    return EndpointReport.model_validate(
        {
            "endpoint_id": "cvpn-endpoint-0123456789abcdef0",
            "account": "123456789012",
            "region": "eu-west-1",
            "status": status,
            "findings": findings,
            "owner": owner,
            **kw,
        }
    )


STACK = endpoint_owner(STACK_TAGS)


def test_cloudformations_tags_name_the_stack_and_the_resource() -> None:
    # Given an endpoint CloudFormation created (its stack-level aws:cloudformation:* tags)
    # When its owner is read / Then it is the stack, by name, ARN and logical id
    assert endpoint_owner(STACK_TAGS) == EndpointOwner(
        kind="cloudformation",
        stack="network-vpn",
        stack_id=STACK_TAGS["aws:cloudformation:stack-id"],
        logical_id="DriftedVpn",
    )


def test_a_tag_the_policy_names_marks_code_the_first_listed_wins() -> None:
    # Given an endpoint Terraform tags with two of the policy's owner tags
    tags = {"terraform-workspace": "prod", "ManagedBy": "terraform"}
    # When its owner is read with the policy's keys in order
    owner = endpoint_owner(tags, ("ManagedBy", "terraform-workspace"))
    # Then the first key listed that it carries names it, with its value
    assert owner == EndpointOwner(kind="tag", tag="ManagedBy", value="terraform")
    assert endpoint_owner(tags, ("terraform-workspace",)) == EndpointOwner(
        kind="tag", tag="terraform-workspace", value="prod"
    )


def test_the_stack_wins_over_owner_tags_and_no_owner_tag_is_no_owner() -> None:
    # Given a stack's endpoint that also carries an owner tag, and an untagged one
    tags = {**STACK_TAGS, "ManagedBy": "cdk"}
    # Then the stack is named (it is exact); without either, nothing owns the endpoint
    assert endpoint_owner(tags, ("ManagedBy",)) == STACK
    assert endpoint_owner({"Name": "vpn"}, ("ManagedBy",)) is None
    assert endpoint_owner({"ManagedBy": "terraform"}) is None  # the policy names no key
    # And an owner tag with an empty value still marks the endpoint
    assert endpoint_owner({"ManagedBy": ""}, ("ManagedBy",)) == EndpointOwner(
        kind="tag", tag="ManagedBy"
    )


def test_a_broken_endpoints_text_names_its_stack_and_says_to_fix_the_template() -> None:
    # Given a finding on an endpoint of a stack
    lines = endpoint_details(_report(STACK, FINDING))
    # Then its text first says who deploys it and that the template must be fixed too
    assert lines[0] == (
        'Deployed by CloudFormation stack "network-vpn" (resource "DriftedVpn"): fix its '
        "template too, or the next stack update reverts the fix."
    )
    # And each finding lists the controls its rule serves
    assert "      controls: nist-800-53/AC-12, nist-800-53/CM-6" in lines


def test_a_tag_owned_endpoint_says_to_fix_the_code_and_a_compliant_one_only_who_owns_it() -> None:
    owner = EndpointOwner(kind="tag", tag="ManagedBy", value="terraform")
    # Given a remediated endpoint (its changes made) and a compliant one, both owned by a tag
    remediated = _report(
        owner, changes=(ReportChange(field="SessionTimeoutHours", before=24, after=12),)
    )
    # Then the first says to fix the code, the second only names the owner
    assert endpoint_details(remediated)[0] == (
        'Deployed by tag "ManagedBy"="terraform": fix the code that deploys it too, or the '
        "next deployment reverts the fix."
    )
    assert endpoint_details(_report(owner))[0] == 'Deployed by tag "ManagedBy"="terraform".'
    assert not any(line.startswith("Deployed") for line in endpoint_details(_report(None)))


def test_the_enforcers_notice_and_its_chat_form_name_the_stack() -> None:
    # Given the enforcer's report on one endpoint of a stack
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="enforcer"),
        endpoints=[_report(STACK, FINDING)],
        generated_at=NOW,
    )
    # When its notice is composed, and rendered for chat
    notice = compose_endpoint_notice(report)
    chat = chat_notification(notice)
    # Then the text, the chat description, a filterable attribute and the JSON name it
    assert 'CloudFormation stack "network-vpn"' in notice.text
    assert "fix its template too" in chat["content"]["description"]
    assert notice.attributes["owner"] == "cloudformation:network-vpn/DriftedVpn"
    assert chat["metadata"]["additionalContext"]["owner"] == "cloudformation:network-vpn/DriftedVpn"
    document = json.loads(notice.document)
    assert document["endpoints"][0]["owner"]["stack"] == "network-vpn"
    assert document["endpoints"][0]["findings"][0]["controls"] == list(FINDING.controls)


def test_an_endpoint_no_code_owns_has_no_owner_attribute() -> None:
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="enforcer"),
        endpoints=[_report(None, FINDING)],
        generated_at=NOW,
    )
    assert "owner" not in compose_endpoint_notice(report).attributes


def test_the_sweep_summary_table_and_csv_name_the_owner() -> None:
    # Given a sweep's report with a broken endpoint of a stack
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=[_report(STACK, FINDING)],
        generated_at=NOW,
    )
    # Then the e-mail's list of endpoints names the stack, the table says to fix the template
    assert '[CloudFormation stack "network-vpn" (resource "DriftedVpn")]' in render_summary(report)
    assert "fix its template too" in render_table(report)
    # And the CSV row carries the owner and the finding's controls
    (row,) = csv.DictReader(io.StringIO(render_csv(report)))
    assert row["owner"] == "cloudformation:network-vpn/DriftedVpn"
    assert row["controls"] == "nist-800-53/AC-12 nist-800-53/CM-6"


def test_the_summary_lists_the_controls_of_each_broken_rule() -> None:
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=[_report(None, FINDING)],
        generated_at=NOW,
    )
    assert report.summary.controls == {"session-timeout": list(FINDING.controls)}


def test_the_policy_takes_owner_tags_and_refuses_aws_ones() -> None:
    base = {"version": 1, "rules": {"login-banner": None}}
    # Given a policy naming owner tags, and one naming CloudFormation's reserved tag
    policy = load_policy(
        json.dumps({**base, "iac_owner_tags": ["ManagedBy", "terraform-workspace"]})
    )
    # Then the first loads with them; the second is refused, saying why
    assert policy.iac_owner_tags == ("ManagedBy", "terraform-workspace")
    with pytest.raises(PolicyError, match="aws: tags are AWS's own"):
        load_policy(json.dumps({**base, "iac_owner_tags": ["aws:cloudformation:stack-name"]}))
    # And a policy without owner tags keeps the identity it had before the option existed
    assert load_policy(json.dumps(base)).identity != policy.identity
    assert "iac_owner_tags" not in load_policy(json.dumps(base)).model_dump(by_alias=True)


def test_a_plan_for_a_stacks_endpoint_says_to_fix_it_in_the_stack_too() -> None:
    # Given the plan of a fix to an endpoint a stack deploys, and one no code deploys
    call = PlannedCall(
        operation="ModifyClientVpnEndpoint",
        parameters={"ClientVpnEndpointId": "cvpn-endpoint-0123456789abcdef0"},
    )
    owned = EndpointPlan(
        endpoint_id="cvpn-endpoint-0123456789abcdef0",
        account="123456789012",
        region="eu-west-1",
        status=EndpointStatus.NON_COMPLIANT,
        calls=(call,),
        owner=STACK,
    )
    report = build_report(
        policy=default_policy(), source=ReportSource(kind="cli"), endpoints=[], generated_at=NOW
    )
    # When the plans are printed / Then the first names its stack, the second does not
    assert (
        '  deployed by CloudFormation stack "network-vpn" (resource "DriftedVpn"): fix it there '
        "too" in render_plan_text([owned], report)
    )
    assert "deployed by" not in render_plan_text([owned.model_copy(update={"owner": None})], report)
