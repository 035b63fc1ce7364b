"""The compliance report: its schema file, counts, notices and split parts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.notification import compose_endpoint_notice, subject_for
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    EndpointReport,
    ReportChange,
    ReportError,
    ReportSource,
    build_report,
    json_schema,
)
from cvpn_guard.report_parts import ReportPartsError, join_parts, split_document
from cvpn_guard.report_publishing import report_notices

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schemas" / "compliance-report.schema.json"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _finding(
    rule: str = "disconnect-on-session-timeout", severity: str = "high", **kw: object
) -> Finding:
    values: dict[str, object] = {
        "rule": rule,
        "severity": severity,
        "expected": True,
        "actual": False,
        "remediable": True,
        "disruptive": True,
        "disruption_reason": "applies to open sessions",
        "message": "sessions are not disconnected when they time out",
    }
    values.update(kw)
    return Finding.model_validate(values)


def _endpoint(n: int, status: EndpointStatus, *findings: Finding, **kw: object) -> EndpointReport:
    return EndpointReport.model_validate(
        {
            "endpoint_id": f"cvpn-endpoint-{n:017x}",
            "account": "123456789012",
            "region": "eu-west-1",
            "status": status,
            "findings": findings,
            **kw,
        }
    )


def test_committed_schema_is_the_generated_one() -> None:
    # The file subscribers validate against must never drift from the models.
    assert SCHEMA_FILE.read_text() == json_schema(), (
        "run: python -m cvpn_guard.report > schemas/compliance-report.schema.json"
    )


def test_summary_counts_statuses_rules_and_errors() -> None:
    # Given endpoints in every status and a region that could not be read
    endpoints = [
        _endpoint(1, EndpointStatus.COMPLIANT),
        _endpoint(2, EndpointStatus.NON_COMPLIANT, _finding(), _finding("login-banner", "medium")),
        _endpoint(
            3, EndpointStatus.REMEDIATED, _finding(), fixed_rules=("disconnect-on-session-timeout",)
        ),
        _endpoint(
            4, EndpointStatus.REMEDIATION_FAILED, _finding(), error="InvalidParameterValue: no"
        ),
        _endpoint(5, EndpointStatus.EXEMPT),
    ]
    errors = [ReportError(region="us-east-1", code="UnauthorizedOperation", message="denied")]

    # When the report is built
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=endpoints,
        errors=errors,
        generated_at=NOW,
    )

    # Then the summary adds up and the JSON validates against the committed schema
    s = report.summary
    assert (
        s.endpoints,
        s.compliant,
        s.non_compliant,
        s.remediated,
        s.remediation_failed,
        s.exempt,
        s.errors,
    ) == (
        5,
        1,
        1,
        1,
        1,
        1,
        1,
    )
    assert s.by_rule == {"disconnect-on-session-timeout": 3, "login-banner": 1}
    jsonschema.validate(json.loads(report.to_json()), json.loads(SCHEMA_FILE.read_text()))
    assert report.policy.content_hash.startswith("sha256:")


def test_endpoint_notice_has_a_short_subject_filterable_attributes_and_readable_text() -> None:
    # Given a remediated endpoint with a disruptive fix while five users were connected
    endpoint = _endpoint(
        7,
        EndpointStatus.REMEDIATED,
        _finding(),
        changes=(ReportChange(field="DisconnectOnSessionTimeout", before=False, after=True),),
        fixed_rules=("disconnect-on-session-timeout",),
        users_affected=5,
    )
    report = build_report(
        policy=default_policy(),
        source=ReportSource(
            kind="enforcer",
            event_id="e-1",
            event_name="ModifyClientVpnEndpoint",
            actor="arn:aws:iam::1:user/x",
        ),
        endpoints=[endpoint],
        generated_at=NOW,
    )

    # When the notice is composed
    notice = compose_endpoint_notice(report)

    # Then
    assert (
        notice.subject
        == "[cvpn-guard] REMEDIATED cvpn-endpoint-00000000000000007 123456789012/eu-west-1"
    )
    assert len(notice.subject) < 100
    assert notice.attributes == {
        "status": "remediated",
        "severity": "high",
        "account": "123456789012",
        "region": "eu-west-1",
        "endpoint_id": "cvpn-endpoint-00000000000000007",
        "rules": "disconnect-on-session-timeout",
    }
    assert "DisconnectOnSessionTimeout: false -> true" in notice.text
    assert "Users affected: 5 active connection(s)" in notice.text
    assert "Trigger: ModifyClientVpnEndpoint" in notice.text
    assert json.loads(notice.document) == json.loads(report.to_json())


def test_the_notice_says_what_the_triggering_call_changed() -> None:
    # Given a tag deletion that left an endpoint without a required tag
    endpoint = _endpoint(3, EndpointStatus.NON_COMPLIANT, _finding())
    source = ReportSource(
        kind="enforcer",
        event_id="e-2",
        event_name="DeleteTags",
        change="tags removed",
        actor="arn:aws:iam::1:user/x",
    )
    report = build_report(
        policy=default_policy(), source=source, endpoints=[endpoint], generated_at=NOW
    )

    # When the notice is composed, Then its text and its document name the call and the change
    notice = compose_endpoint_notice(report)
    assert 'Trigger: DeleteTags (tags removed) by "arn:aws:iam::1:user/x"' in notice.text
    assert json.loads(notice.document)["source"]["change"] == "tags removed"


def test_subject_stays_ascii_and_short_whatever_the_input() -> None:
    endpoint = _endpoint(1, EndpointStatus.NON_COMPLIANT).model_copy(
        update={"region": "eu-west-1\n\u202e" + "x" * 200}
    )
    subject = subject_for(endpoint)
    assert len(subject) < 100
    assert subject.isascii()
    assert "\n" not in subject


def test_large_report_is_split_into_parts_that_join_back_exactly() -> None:
    # Given a report far larger than one SNS message, with text that needs escaping
    banner = 'Authorized "use" only.\n\\ Ünïcödé ✓ </script>'
    endpoints = [
        _endpoint(
            n,
            EndpointStatus.NON_COMPLIANT,
            _finding("login-banner", "medium", expected=banner, actual=None),
        )
        for n in range(3_000)
    ]
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=endpoints,
        generated_at=NOW,
    )
    document = report.to_json()
    assert len(document.encode()) > 256 * 1024

    # When it is split for SNS
    notices = report_notices(report)

    # Then every message fits, the parts are numbered, and joining gives the original bytes
    assert len(notices) > 1
    for index, notice in enumerate(notices, start=1):
        message = json.dumps({"default": notice.document, "email": notice.text})
        assert len(message.encode()) < 256 * 1024
        assert notice.attributes["part"] == str(index)
        assert notice.attributes["parts"] == str(len(notices))
    parts = [json.loads(n.document) for n in reversed(notices)]
    assert join_parts(parts) == document


def test_small_report_is_sent_whole() -> None:
    assert split_document('{"a": 1}') == ['{"a": 1}']


def test_joining_incomplete_parts_says_what_is_missing() -> None:
    parts = [json.loads(p) for p in split_document("x" * 1_000, max_bytes=300)]
    with pytest.raises(ReportPartsError, match="missing \\[2\\]"):
        join_parts([parts[0], *parts[2:]])
