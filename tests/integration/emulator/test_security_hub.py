"""Security Hub findings as the API Reference documents them (moto 5.2 answers otherwise).

Each test pins one correction listed in emulator/README.md, through real boto3 calls, both
in-process and over HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.emulator.conftest import ACCOUNT, REGION, Emulator, error_of

PRODUCT = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _finding(
    finding_id: str,
    *,
    minutes: int = 0,
    compliance: str = "FAILED",
    workflow: str | None = None,
    record_state: str = "ACTIVE",
    **fields: Any,
) -> dict[str, Any]:
    """A valid ASFF finding, UpdatedAt ``minutes`` after START."""
    stamp = (START + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
    finding: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": PRODUCT,
        "GeneratorId": f"tests/{finding_id}",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": START.isoformat().replace("+00:00", "Z"),
        "UpdatedAt": stamp,
        "Severity": {"Label": "HIGH"},
        "Title": f"finding {finding_id}",
        "Description": f"finding {finding_id}, {compliance}",
        "Resources": [{"Type": "Other", "Id": f"resource-{finding_id}"}],
        "Compliance": {"Status": compliance},
        "RecordState": record_state,
        **fields,
    }
    if workflow is not None:
        finding["Workflow"] = {"Status": workflow}
    return finding


def _import(hub: Any, *findings: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = hub.batch_import_findings(Findings=list(findings))
    return response


def _stored(hub: Any, finding_id: str) -> dict[str, Any]:
    (found,) = hub.get_findings(Filters={"Id": [{"Value": finding_id, "Comparison": "EQUALS"}]})[
        "Findings"
    ]
    return dict(found)


def _set_workflow(hub: Any, status: str, *finding_ids: str) -> dict[str, Any]:
    response: dict[str, Any] = hub.batch_update_findings(
        FindingIdentifiers=[{"Id": i, "ProductArn": PRODUCT} for i in finding_ids],
        Workflow={"Status": status},
    )
    return response


@pytest.fixture
def hub(emulator: Emulator) -> Any:
    return emulator.client("securityhub")


@pytest.mark.server_smoke
def test_get_findings_honours_equals_and_prefix_filters_across_pages(hub: Any) -> None:
    # Given 130 findings of two generators, one of them archived
    _import(hub, *(_finding(f"ours-{n}", GeneratorId=f"ours/{n % 3}") for n in range(120)))
    _import(hub, *(_finding(f"theirs-{n}") for n in range(10)))
    _import(hub, _finding("ours-0", minutes=1, GeneratorId="ours/0", record_state="ARCHIVED"))

    # When they are read with a prefix filter, 50 per page
    pages = hub.get_paginator("get_findings").paginate(
        Filters={"GeneratorId": [{"Value": "ours/", "Comparison": "PREFIX"}]},
        PaginationConfig={"PageSize": 50},
    )
    found = [finding["Id"] for page in pages for finding in page["Findings"]]

    # Then only those match, each once
    assert sorted(found) == sorted(f"ours-{n}" for n in range(120))
    # And filters on different attributes are joined by AND, values of one by OR
    both = hub.get_findings(
        Filters={
            "GeneratorId": [
                {"Value": "ours/1", "Comparison": "EQUALS"},
                {"Value": "ours/2", "Comparison": "EQUALS"},
            ],
            "ResourceId": [{"Value": "resource-ours-4", "Comparison": "EQUALS"}],
        }
    )["Findings"]
    assert [f["Id"] for f in both] == ["ours-4"]
    archived = hub.get_findings(
        Filters={"RecordState": [{"Value": "ARCHIVED", "Comparison": "EQUALS"}]}
    )["Findings"]
    assert [f["Id"] for f in archived] == ["ours-0"]
    not_ours = hub.get_findings(
        Filters={"GeneratorId": [{"Value": "ours/", "Comparison": "PREFIX_NOT_EQUALS"}]}
    )["Findings"]
    assert sorted(f["Id"] for f in not_ours) == sorted(f"theirs-{n}" for n in range(10))


def test_get_findings_refuses_filters_it_cannot_apply(hub: Any) -> None:
    # A CONTAINS filter combined with an EQUALS one is an error in AWS (StringFilter)
    with pytest.raises(ClientError) as mixed:
        hub.get_findings(
            Filters={
                "Title": [
                    {"Value": "a", "Comparison": "CONTAINS"},
                    {"Value": "b", "Comparison": "EQUALS"},
                ]
            }
        )
    assert error_of(mixed)[0] == "InvalidInputException"
    # And an attribute the emulator does not filter on is refused, not ignored
    with pytest.raises(ClientError) as unknown:
        hub.get_findings(Filters={"ProductName": [{"Value": "x", "Comparison": "EQUALS"}]})
    assert error_of(unknown)[0] == "InvalidInputException"


def test_a_new_finding_is_new_and_active_unless_imported_otherwise(hub: Any) -> None:
    _import(hub, _finding("plain"), _finding("resolved", compliance="PASSED", workflow="RESOLVED"))
    assert _stored(hub, "plain")["Workflow"] == {"Status": "NEW"}
    assert _stored(hub, "plain")["RecordState"] == "ACTIVE"
    assert _stored(hub, "resolved")["Workflow"] == {"Status": "RESOLVED"}


def test_an_import_does_not_change_the_workflow_of_an_existing_finding(hub: Any) -> None:
    # Given a finding a customer marked NOTIFIED
    _import(hub, _finding("f"))
    _set_workflow(hub, "NOTIFIED", "f")

    # When its provider imports it again with another workflow and a new description
    response = _import(hub, _finding("f", minutes=1, workflow="RESOLVED", Description="newer"))

    # Then the import is taken, the workflow kept ("BatchImportFindings cannot be used to
    # update ... Workflow")
    assert response["SuccessCount"] == 1
    stored = _stored(hub, "f")
    assert stored["Description"] == "newer"
    assert stored["Workflow"] == {"Status": "NOTIFIED"}


def test_a_suppressed_finding_is_no_longer_updated(hub: Any) -> None:
    # Given a suppressed finding
    _import(hub, _finding("f"))
    _set_workflow(hub, "SUPPRESSED", "f")

    # When its provider imports a newer version
    response = _import(hub, _finding("f", minutes=1, compliance="PASSED", Description="newer"))

    # Then nothing changed ("The finding is no longer updated")
    assert response["SuccessCount"] == 1
    stored = _stored(hub, "f")
    assert stored["Description"] == "finding f, FAILED"
    assert stored["Compliance"] == {"Status": "FAILED"}
    # And once a customer moves it out of SUPPRESSED, imports land again
    _set_workflow(hub, "NEW", "f")
    _import(hub, _finding("f", minutes=2, compliance="PASSED"))
    assert _stored(hub, "f")["Compliance"] == {"Status": "PASSED"}


@pytest.mark.parametrize("workflow", ["NOTIFIED", "RESOLVED"])
def test_notified_or_resolved_goes_back_to_new_when_the_finding_fails_again(
    hub: Any, workflow: str
) -> None:
    # Given a passing finding, NOTIFIED or RESOLVED
    _import(hub, _finding("f", compliance="PASSED"))
    _set_workflow(hub, workflow, "f")

    # When it turns FAILED, Then Security Hub resets it to NEW (Workflow.Status)
    _import(hub, _finding("f", minutes=1, compliance="FAILED"))
    assert _stored(hub, "f")["Workflow"] == {"Status": "NEW"}


@pytest.mark.parametrize(("workflow", "after"), [("RESOLVED", "NEW"), ("SUPPRESSED", "SUPPRESSED")])
def test_an_archived_finding_made_active_again_is_new_unless_suppressed(
    hub: Any, workflow: str, after: str
) -> None:
    # Given an archived finding
    _import(hub, _finding("f", record_state="ARCHIVED"))
    _set_workflow(hub, workflow, "f")

    # When it is imported ACTIVE again: RESOLVED goes back to NEW, SUPPRESSED stays
    _import(hub, _finding("f", minutes=1))
    assert _stored(hub, "f")["Workflow"] == {"Status": after}


def test_a_failed_finding_that_stays_failed_keeps_its_workflow(hub: Any) -> None:
    _import(hub, _finding("f"))
    _set_workflow(hub, "RESOLVED", "f")
    _import(hub, _finding("f", minutes=1))  # FAILED to FAILED: no reset
    assert _stored(hub, "f")["Workflow"] == {"Status": "RESOLVED"}


def test_an_update_not_later_than_the_finding_is_ignored(hub: Any) -> None:
    _import(hub, _finding("f", minutes=5, Description="first"))
    _import(hub, _finding("f", minutes=5, Description="same time"))
    _import(hub, _finding("f", minutes=4, Description="older"))
    assert _stored(hub, "f")["Description"] == "first"


def test_a_blank_string_is_refused_and_the_rest_of_the_batch_taken(hub: Any) -> None:
    # Given a batch where one finding has a blank description and another a blank detail
    blank_detail = _finding("b")
    blank_detail["Resources"][0]["Details"] = {"Other": {"description": " "}}

    # When it is imported
    response = _import(hub, _finding("ok"), _finding("a", Description=""), blank_detail)

    # Then the blank ones are refused, with AWS's code, and the valid one imported
    assert response["SuccessCount"] == 1
    assert response["FailedCount"] == 2
    refused = {f["Id"]: f for f in response["FailedFindings"]}
    assert {f["ErrorCode"] for f in refused.values()} == {"InvalidInput"}
    assert (
        "data.Description should NOT be shorter than 1 characters" in (refused["a"]["ErrorMessage"])
    )
    assert "data.Resources[0].Details.Other['description']" in refused["b"]["ErrorMessage"]
    assert [f["Id"] for f in hub.get_findings()["Findings"]] == ["ok"]


def test_batch_update_findings_reports_what_it_could_not_update(hub: Any) -> None:
    # Given one finding
    _import(hub, _finding("f"))

    # When an update names it, a finding that does not exist, and one twice
    _import(hub, _finding("twice"))
    response = hub.batch_update_findings(
        FindingIdentifiers=[
            {"Id": "f", "ProductArn": PRODUCT},
            {"Id": "missing", "ProductArn": PRODUCT},
            {"Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/other/other"},
            {"Id": "twice", "ProductArn": PRODUCT},
            {"Id": "twice", "ProductArn": PRODUCT},
        ],
        Workflow={"Status": "RESOLVED"},
    )

    # Then the found one is updated, the others unprocessed with the documented codes
    assert response["ProcessedFindings"] == [{"Id": "f", "ProductArn": PRODUCT}]
    codes = [
        (u["FindingIdentifier"]["Id"], u["ErrorCode"]) for u in response["UnprocessedFindings"]
    ]
    assert codes == [
        ("missing", "FindingNotFound"),
        ("f", "FindingNotFound"),
        ("twice", "DuplicatedFindingIdentifier"),
        ("twice", "DuplicatedFindingIdentifier"),
    ]
    assert _stored(hub, "f")["Workflow"] == {"Status": "RESOLVED"}
    assert _stored(hub, "twice")["Workflow"] == {"Status": "NEW"}
    # And it does not touch UpdatedAt ("your updates don't affect the value for UpdatedAt")
    assert _stored(hub, "f")["UpdatedAt"] == _finding("f")["UpdatedAt"]


def test_a_findings_related_requirements_and_security_control_id_are_kept(hub: Any) -> None:
    # Given a finding whose Compliance names the controls it concerns (botocore's Compliance
    # shape: RelatedRequirements, a list of NonEmptyString, and SecurityControlId)
    compliance = {
        "Status": "FAILED",
        "RelatedRequirements": ["NIST.800-53.r5 AU-12", "PCI DSS v4.0/10.2.1"],
        "SecurityControlId": "EC2.51",
    }

    # When it is imported
    response = _import(hub, _finding("c", Compliance=compliance))

    # Then it is taken, and read back with both fields as sent
    assert response["FailedCount"] == 0
    assert _stored(hub, "c")["Compliance"] == compliance


def test_a_blank_related_requirement_is_refused(hub: Any) -> None:
    # Given a finding with a blank RelatedRequirements entry (each is a NonEmptyString)
    compliance = {"Status": "FAILED", "RelatedRequirements": ["NIST.800-53.r5 AU-12", " "]}

    # When it is imported
    response = _import(hub, _finding("r", Compliance=compliance))

    # Then Security Hub's validation refuses it, naming the entry
    (refused,) = response["FailedFindings"]
    assert refused["ErrorCode"] == "InvalidInput"
    assert "data.Compliance.RelatedRequirements[1]" in refused["ErrorMessage"]


def test_more_related_requirements_than_the_model_allows_are_refused(hub: Any) -> None:
    # Given a finding with 33 related requirements (botocore's model documents at most 32)
    related = [f"NIST.800-53.r5 AC-{n}" for n in range(1, 34)]
    compliance = {"Status": "FAILED", "RelatedRequirements": related}

    # When it is imported, and one with 32
    too_many = _import(hub, _finding("many", Compliance=compliance))
    enough = _import(
        hub, _finding("enough", Compliance={**compliance, "RelatedRequirements": related[:32]})
    )

    # Then the first is refused with the limit named, the second taken
    (refused,) = too_many["FailedFindings"]
    assert refused["ErrorCode"] == "InvalidInput"
    assert (
        "data.Compliance.RelatedRequirements should NOT have more than 32 items"
        in (refused["ErrorMessage"])
    )
    assert enough["FailedCount"] == 0
