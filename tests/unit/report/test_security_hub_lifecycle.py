"""The plan that brings Security Hub to the verdicts: workflow, archiving, CreatedAt."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cvpn_guard.findings import EndpointStatus, Finding, UnevaluatedRule
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.report import EndpointReport, ReportExemption
from cvpn_guard.security_hub.findings import asff_findings
from cvpn_guard.security_hub.lifecycle import (
    StoredFinding,
    WorkflowChange,
    finding_filters,
    plan_export,
)

EARLIER = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACCOUNT, REGION = "210987654321", "eu-west-1"
ENDPOINT = "cvpn-endpoint-0d2c4e6f8a0b1c3d5"
OTHER_ENDPOINT = "cvpn-endpoint-0aaaaaaaaaaaaaaaa"
RULE = "login-banner"
PRODUCT = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"


def _verdict(kind: str, endpoint: str = ENDPOINT, rule: str = RULE) -> dict[str, Any]:
    """This run's finding of ``rule``: failed, passed, exempt or unevaluated."""
    broken = Finding(
        rule=rule,
        severity=Severity.HIGH,
        expected=True,
        actual=False,
        remediable=False,
        disruptive=False,
        message="broken",
    )
    fields: dict[str, Any] = {
        "failed": {"status": EndpointStatus.NON_COMPLIANT, "findings": (broken,)},
        "passed": {"status": EndpointStatus.COMPLIANT},
        "exempt": {
            "status": EndpointStatus.EXEMPT,
            "exempted": (ReportExemption(rule=rule, reason="legacy"),),
        },
        "unevaluated": {
            "status": EndpointStatus.COMPLIANT,
            "unevaluated": (UnevaluatedRule(rule=rule, reason="not read"),),
        },
    }[kind]
    report = EndpointReport(endpoint_id=endpoint, account=ACCOUNT, region=REGION, **fields)
    (finding,) = asff_findings(
        report, rules_checked=[rule], endpoint=None, partition="aws", now=NOW
    )
    return finding


def _stored(
    workflow: str,
    compliance: str,
    *,
    record_state: str = "ACTIVE",
    endpoint: str = ENDPOINT,
    rule: str = RULE,
) -> StoredFinding:
    """The finding as Security Hub holds it from an earlier run."""
    kind = {"FAILED": "failed", "PASSED": "passed", "NOT_AVAILABLE": "unevaluated"}[compliance]
    document = _verdict(kind, endpoint, rule)
    stamp = EARLIER.isoformat().replace("+00:00", "Z")
    document.update(
        CreatedAt=stamp,
        UpdatedAt=stamp,
        Workflow={"Status": workflow},
        RecordState=record_state,
        ProductFields={**document["ProductFields"], "aws/securityhub/ProductName": "Default"},
        ProductName="Default",
    )
    return StoredFinding(document)


def _identifiers(changes: tuple[WorkflowChange, ...]) -> dict[str, list[str]]:
    return {change.status: [i for i, _ in change.identifiers] for change in changes}


ID = f"cvpn-guard/{ACCOUNT}/{REGION}/{ENDPOINT}/{RULE}"


@pytest.mark.parametrize(
    ("stored", "verdict", "reopen", "imported", "settle"),
    [
        # Failing again: back to NEW; from SUPPRESSED before the import (an import of a
        # suppressed finding is lost), from RESOLVED after it unless Security Hub resets it
        # itself (PASSED -> FAILED); NOTIFIED is a human's, left alone while it fails.
        (("SUPPRESSED", "FAILED"), "failed", {"NEW": [ID]}, True, {}),
        (("RESOLVED", "FAILED"), "failed", {}, True, {"NEW": [ID]}),
        (("RESOLVED", "PASSED"), "failed", {}, True, {}),
        (("NOTIFIED", "PASSED"), "failed", {}, True, {}),
        (("NOTIFIED", "FAILED"), "failed", {}, True, {}),
        (("NEW", "FAILED"), "failed", {}, True, {}),
        # Passing: RESOLVED (from SUPPRESSED before the import, so that PASSED lands)
        (("NEW", "FAILED"), "passed", {}, True, {"RESOLVED": [ID]}),
        (("NOTIFIED", "FAILED"), "passed", {}, True, {"RESOLVED": [ID]}),
        (("RESOLVED", "PASSED"), "passed", {}, True, {}),
        (("SUPPRESSED", "FAILED"), "passed", {"RESOLVED": [ID]}, True, {}),
        # Exempt: SUPPRESSED after the import (so that its compliance lands first)
        (("NEW", "FAILED"), "exempt", {}, True, {"SUPPRESSED": [ID]}),
        (("RESOLVED", "PASSED"), "exempt", {}, True, {"SUPPRESSED": [ID]}),
        (("SUPPRESSED", "FAILED"), "exempt", {}, False, {}),
        # Not checked: NOT_AVAILABLE, workflow left to Security Hub (it reopens a passed one)
        (("RESOLVED", "PASSED"), "unevaluated", {}, True, {}),
        (("NEW", "FAILED"), "unevaluated", {}, True, {}),
        (("SUPPRESSED", "FAILED"), "unevaluated", {}, False, {}),
    ],
)
def test_each_finding_gets_the_workflow_its_verdict_asks_for(
    stored: tuple[str, str],
    verdict: str,
    reopen: dict[str, list[str]],
    imported: bool,
    settle: dict[str, list[str]],
) -> None:
    plan = plan_export(
        [_verdict(verdict)],
        [_stored(*stored)],
        judged=frozenset({ENDPOINT}),
        present=None,
        now=NOW,
    )
    assert _identifiers(plan.reopen) == reopen
    assert [f["Id"] for f in plan.imports] == ([ID] if imported else [])
    assert _identifiers(plan.settle) == settle
    assert plan.archived == ()


def test_a_new_finding_is_imported_with_its_workflow_and_nothing_else_is_called() -> None:
    plan = plan_export(
        [_verdict("passed")], [], judged=frozenset({ENDPOINT}), present=None, now=NOW
    )
    (finding,) = plan.imports
    assert finding["Workflow"] == {"Status": "RESOLVED"}  # taken on create
    assert finding["CreatedAt"] == "2026-12-01T09:00:00Z"
    assert (plan.reopen, plan.settle) == ((), ())


def test_an_existing_finding_keeps_the_first_time_it_was_seen() -> None:
    plan = plan_export(
        [_verdict("failed")],
        [_stored("NEW", "FAILED")],
        judged=frozenset({ENDPOINT}),
        present=None,
        now=NOW,
    )
    (finding,) = plan.imports
    assert finding["CreatedAt"] == "2026-11-01T09:00:00Z"
    assert finding["UpdatedAt"] == "2026-12-01T09:00:00Z"


def test_a_resolved_archived_finding_made_active_again_is_resolved_after_the_reset() -> None:
    # Security Hub resets RESOLVED to NEW on ARCHIVED -> ACTIVE: a passing verdict must set
    # RESOLVED again after the import
    plan = plan_export(
        [_verdict("passed")],
        [_stored("RESOLVED", "PASSED", record_state="ARCHIVED")],
        judged=frozenset({ENDPOINT}),
        present=None,
        now=NOW,
    )
    assert _identifiers(plan.settle) == {"RESOLVED": [ID]}


def test_findings_of_a_rule_no_longer_produced_are_archived_for_a_judged_endpoint() -> None:
    # Given a stored finding of a rule this run did not produce for a judged endpoint
    gone_rule = f"cvpn-guard/{ACCOUNT}/{REGION}/{ENDPOINT}/split-tunnel"
    stored = [_stored("NEW", "FAILED"), _stored("NOTIFIED", "FAILED", rule="split-tunnel")]

    # When the plan is made
    plan = plan_export(
        [_verdict("failed")], stored, judged=frozenset({ENDPOINT}), present=None, now=NOW
    )

    # Then it is imported again as ARCHIVED: the provider's fields only, UpdatedAt now, the
    # first-seen time kept, and its workflow left to the human who set it
    assert plan.archived == (gone_rule,)
    archived = {f["Id"]: f for f in plan.imports}[gone_rule]
    assert archived["RecordState"] == "ARCHIVED"
    assert archived["UpdatedAt"] == "2026-12-01T09:00:00Z"
    assert archived["CreatedAt"] == "2026-11-01T09:00:00Z"
    assert "Workflow" not in archived
    assert "ProductName" not in archived
    assert archived["ProductFields"] == {"cvpn-guard/status": "non_compliant"}
    assert (plan.reopen, plan.settle) == ((), ())


def test_findings_of_a_gone_endpoint_are_archived_only_when_the_listing_is_complete() -> None:
    gone = _stored("SUPPRESSED", "FAILED", endpoint=OTHER_ENDPOINT)
    gone_id = gone.id

    # Given a complete listing without the endpoint: archived, and being suppressed it is
    # resolved first (an import would not reach it)
    plan = plan_export([], [gone], judged=frozenset(), present=frozenset(), now=NOW)
    assert plan.archived == (gone_id,)
    assert _identifiers(plan.reopen) == {"RESOLVED": [gone_id]}

    # Given the endpoint still listed, only not judged (its check failed): left alone
    plan = plan_export([], [gone], judged=frozenset(), present=frozenset({OTHER_ENDPOINT}), now=NOW)
    assert (plan.archived, plan.imports, plan.reopen) == ((), (), ())

    # Given no listing at all (the enforcer's one endpoint): left alone
    plan = plan_export([], [gone], judged=frozenset({ENDPOINT}), present=None, now=NOW)
    assert plan.archived == ()


def test_an_archived_finding_is_not_archived_again() -> None:
    stored = [_stored("NEW", "FAILED", record_state="ARCHIVED", endpoint=OTHER_ENDPOINT)]
    plan = plan_export([], stored, judged=frozenset(), present=frozenset(), now=NOW)
    assert plan.imports == ()


def test_a_finding_not_named_like_ours_is_never_archived() -> None:
    foreign = StoredFinding({**_stored("NEW", "FAILED").document, "Id": "someone-else/1"})
    plan = plan_export([], [foreign], judged=frozenset(), present=frozenset(), now=NOW)
    assert plan.imports == ()


def test_the_filters_select_our_findings_of_one_region_and_optionally_one_endpoint() -> None:
    region_wide = finding_filters(partition="aws", account=ACCOUNT, region=REGION)
    assert region_wide == {
        "ProductArn": [{"Value": PRODUCT, "Comparison": "EQUALS"}],
        "GeneratorId": [{"Value": "cvpn-guard/", "Comparison": "PREFIX"}],
    }
    one = finding_filters(partition="aws", account=ACCOUNT, region=REGION, endpoint_id=ENDPOINT)
    assert one["ResourceId"] == [
        {
            "Value": f"arn:aws:ec2:{REGION}:{ACCOUNT}:client-vpn-endpoint/{ENDPOINT}",
            "Comparison": "EQUALS",
        }
    ]


def test_a_slim_finding_keeps_what_the_plan_reads() -> None:
    stored = _stored("NOTIFIED", "PASSED", record_state="ARCHIVED")
    slim = stored.slim()
    assert set(slim.document) == {
        "Id",
        "ProductArn",
        "CreatedAt",
        "Workflow",
        "RecordState",
        "Compliance",
    }
    assert (slim.identifier, slim.created_at, slim.workflow, slim.record_state) == (
        stored.identifier,
        stored.created_at,
        stored.workflow,
        stored.record_state,
    )
    assert (slim.compliance, slim.endpoint_id) == (stored.compliance, stored.endpoint_id)
