"""The Security Hub adapter and the export's accounting, against the emulator (both modes)."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Logger, Metrics

from cvpn_guard.aws.security_hub import SecurityHubFindings
from cvpn_guard.observability import NAMESPACE
from cvpn_guard.security_hub.export import execute_plan, export_or_log
from cvpn_guard.security_hub.lifecycle import ExportPlan, WorkflowChange
from tests.support.world import REGION, EnforcerWorld

ACCOUNT = "123456789012"
PRODUCT = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"


def _finding(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"cvpn-guard/{ACCOUNT}/{REGION}/cvpn-endpoint-{number:017x}/rule",
        "ProductArn": PRODUCT,
        "GeneratorId": "cvpn-guard/rule",
        "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks"],
        "CreatedAt": "2026-12-01T08:00:00Z",
        "UpdatedAt": "2026-12-01T08:00:00Z",
        "Severity": {"Label": "LOW"},
        "Title": f"finding {number}",
        "Description": f"finding {number}",
        "Resources": [{"Type": "AwsEc2ClientVpnEndpoint", "Id": f"endpoint-{number}"}],
        **fields,
    }


@pytest.fixture
def hub(world: EnforcerWorld) -> SecurityHubFindings:
    return SecurityHubFindings(boto3.client("securityhub", region_name=REGION))


@pytest.mark.server_smoke
def test_every_request_is_made_when_one_fails_and_refusals_are_returned(
    world: EnforcerWorld, hub: SecurityHubFindings
) -> None:
    # Given 250 findings (three requests), the first request failing as a whole and one
    # finding of the second blank (Security Hub refuses it)
    findings = [_finding(n) for n in range(250)]
    findings[150] = _finding(150, Description=" ")
    world.faults.inject_error(
        "BatchImportFindings", "InvalidAccessException", times=1, service="securityhub"
    )

    # When they are imported
    result = hub.import_findings(findings)

    # Then the second and third requests were made: 149 findings taken; the refused one and
    # the failed request are returned, with their ids and codes
    assert result.taken == 149
    (refused,) = result.refused
    assert (refused.finding_id, refused.code) == (findings[150]["Id"], "InvalidInput")
    (failure,) = result.failures
    assert (failure.operation, failure.code) == ("BatchImportFindings", "InvalidAccessException")
    assert failure.finding_ids == tuple(f["Id"] for f in findings[:100])
    assert len(list(hub.findings({}))) == 149
    assert world.faults.call_counts()["BatchImportFindings"] == 3


def test_unprocessed_findings_are_counted_by_code_and_logged_with_their_ids(
    world: EnforcerWorld, hub: SecurityHubFindings, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one finding, and a plan resolving it and one Security Hub does not have
    known, missing = _finding(1), _finding(2)
    plan = ExportPlan(
        imports=(known,),
        settle=(WorkflowChange("RESOLVED", ((known["Id"], PRODUCT), (missing["Id"], PRODUCT))),),
    )
    capsys.readouterr()

    # When the plan is applied and its result accounted (a logger of its own: Powertools
    # keeps one per name, bound to the stream it was first made with)
    logs = io.StringIO()
    result = export_or_log(
        lambda: execute_plan(hub, plan),
        logger=Logger(service=f"test-{uuid.uuid4().hex}", stream=logs),
        metrics=Metrics(namespace=NAMESPACE, service="test"),
    )

    # Then the known one is resolved; the other is one UnprocessedFinding (FindingNotFound),
    # counted under its code and logged with its id
    assert result is not None
    assert [(r.operation, r.finding_id, r.code) for r in result.refused] == [
        ("BatchUpdateFindings", missing["Id"], "FindingNotFound")
    ]
    (stored,) = hub.findings({})
    assert stored.workflow == "RESOLVED"
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line[:1] == "{"]
    counted = [
        blob
        for blob in metrics
        if "SecurityHubFindingsFailed" in blob and blob.get("code") == "FindingNotFound"
    ]
    assert [blob["SecurityHubFindingsFailed"] for blob in counted] == [[1.0]]
    (logged,) = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert logged["level"] == "WARNING"
    assert logged["refused"] == 1
    assert logged["findings"][0]["finding_id"] == missing["Id"]
