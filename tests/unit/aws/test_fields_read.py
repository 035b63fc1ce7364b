"""Every field organization mode and the Client VPN adapter read from an AWS answer is in
botocore's current model, and none of them is one the model retires (moto would keep answering
it long after AWS stopped)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.model import ListShape, Shape, StructureShape

from tests.support.service_model import operation, retirement_date

# (service, operation, path of the member read: "[]" steps into a list's items), as read by
# cvpn_guard.aws.organizations, sweep_runs, state_table (leases, outbox, window marks),
# member_accounts and security_hub; and the lists cvpn_guard.aws.ec2 takes its items from
# (each item's fields are the endpoint model's: tests/unit/policy/test_endpoint.py), with the
# connection status max_connected_users decides on.
FIELDS_READ = [
    ("ec2", "DescribeClientVpnEndpoints", "ClientVpnEndpoints"),
    ("ec2", "DescribeClientVpnAuthorizationRules", "AuthorizationRules"),
    ("ec2", "DescribeClientVpnRoutes", "Routes"),
    # cvpn_guard.iac.estate joins a saved estate's answers by endpoint id, page after page;
    # the endpoint guard reads the owner tags (cvpn_guard.report.owner) from the Describe item.
    ("ec2", "DescribeClientVpnEndpoints", "ClientVpnEndpoints[].ClientVpnEndpointId"),
    ("ec2", "DescribeClientVpnEndpoints", "ClientVpnEndpoints[].Tags[].Key"),
    ("ec2", "DescribeClientVpnEndpoints", "ClientVpnEndpoints[].Tags[].Value"),
    ("ec2", "DescribeClientVpnEndpoints", "NextToken"),
    ("ec2", "DescribeClientVpnAuthorizationRules", "AuthorizationRules[].ClientVpnEndpointId"),
    ("ec2", "DescribeClientVpnAuthorizationRules", "NextToken"),
    ("ec2", "DescribeClientVpnRoutes", "Routes[].ClientVpnEndpointId"),
    ("ec2", "DescribeClientVpnRoutes", "NextToken"),
    ("ec2", "DescribeSecurityGroups", "SecurityGroups[].GroupId"),
    ("ec2", "DescribeClientVpnConnections", "Connections[].Status.Code"),
    ("organizations", "ListAccounts", "Accounts[].Id"),
    ("organizations", "ListAccounts", "Accounts[].State"),
    ("organizations", "DescribeOrganization", "Organization.MasterAccountId"),
    ("sts", "AssumeRole", "Credentials.AccessKeyId"),
    ("sts", "AssumeRole", "Credentials.SecretAccessKey"),
    ("sts", "AssumeRole", "Credentials.SessionToken"),
    ("sts", "AssumeRole", "Credentials.Expiration"),
    ("dynamodb", "GetItem", "Item"),
    ("dynamodb", "UpdateItem", "Attributes"),
    ("dynamodb", "BatchGetItem", "Responses"),
    ("dynamodb", "BatchGetItem", "UnprocessedKeys"),
    ("sqs", "SendMessageBatch", "Failed[].Code"),
    ("sqs", "SendMessageBatch", "Failed[].Message"),
    ("cloudtrail", "DescribeTrails", "trailList[].TrailARN"),
    ("cloudtrail", "GetTrailStatus", "IsLogging"),
    ("securityhub", "GetFindings", "Findings"),
    ("securityhub", "GetFindings", "NextToken"),
    # What the lifecycle reads of a stored finding (cvpn_guard.security_hub.lifecycle)
    ("securityhub", "GetFindings", "Findings[].Id"),
    ("securityhub", "GetFindings", "Findings[].ProductArn"),
    ("securityhub", "GetFindings", "Findings[].CreatedAt"),
    ("securityhub", "GetFindings", "Findings[].Workflow.Status"),
    ("securityhub", "GetFindings", "Findings[].RecordState"),
    ("securityhub", "GetFindings", "Findings[].Compliance.Status"),
    ("securityhub", "BatchImportFindings", "FailedFindings[].Id"),
    ("securityhub", "BatchImportFindings", "FailedFindings[].ErrorCode"),
    ("securityhub", "BatchImportFindings", "FailedFindings[].ErrorMessage"),
    ("securityhub", "BatchUpdateFindings", "UnprocessedFindings[].FindingIdentifier"),
    ("securityhub", "BatchUpdateFindings", "UnprocessedFindings[].ErrorCode"),
    ("securityhub", "BatchUpdateFindings", "UnprocessedFindings[].ErrorMessage"),
]
TODAY = datetime.now(UTC).date()


def _walk(service: str, name: str, path: str) -> tuple[StructureShape, str]:
    """The structure holding the last member of ``path``, and that member's name."""
    shape: Shape | None = operation(service, name).output_shape
    steps = path.split(".")
    for step in steps[:-1]:
        shape = _member(shape, step)
    assert isinstance(shape, StructureShape), path
    last = steps[-1].removesuffix("[]")
    return shape, last


def _member(shape: Shape | None, step: str) -> Shape:
    assert isinstance(shape, StructureShape), step
    found = shape.members[step.removesuffix("[]")]
    if step.endswith("[]"):
        assert isinstance(found, ListShape), step
        return found.member
    return found


@pytest.mark.parametrize(("service", "name", "path"), FIELDS_READ)
def test_each_field_read_is_in_the_current_model_and_not_retired(
    service: str, name: str, path: str
) -> None:
    structure, member = _walk(service, name, path)
    assert member in structure.members, f"{service} {name}: no {path} in botocore's model"
    retired = retirement_date(structure, member)
    assert retired is None or retired > TODAY, f"{service} {name}: {path} retired on {retired}"


def test_the_retired_account_status_is_read_only_where_state_is_absent() -> None:
    # cvpn_guard.aws.organizations.account_state falls back to Status: the model retires it.
    structure, member = _walk("organizations", "ListAccounts", "Accounts[].Status")
    retired = retirement_date(structure, member)
    assert retired is not None
    assert retired <= TODAY


def test_an_archived_copy_repeats_only_current_members_of_a_finding() -> None:
    from cvpn_guard.security_hub.lifecycle import _PROVIDER_FIELDS

    for member in _PROVIDER_FIELDS:
        test_each_field_read_is_in_the_current_model_and_not_retired(
            "securityhub", "GetFindings", f"Findings[].{member}"
        )
