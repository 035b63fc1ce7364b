"""The compliance report: its schema file, counts, notices, and parts split between endpoints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from jsonschema.protocols import Validator
from pydantic import ValidationError

from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    DEFAULT_MAX_PART_BYTES,
    ComplianceReport,
    EndpointReport,
    NotSwept,
    RegionTrail,
    ReportChange,
    ReportError,
    ReportPart,
    ReportPartsError,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    json_schema,
    merge_parts,
    report_notices,
    split_report,
    subject_for,
)

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
    _assert_valid(json.loads(report.to_json()))
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


SNS_MESSAGE_LIMIT = 256 * 1024
BANNER = 'Authorized "use" only.\n\\ Ünïcödé ✓ </script>'  # needs escaping in JSON


def _sweep(endpoints: list[EndpointReport], errors: int = 0) -> ComplianceReport:
    return build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper", regions=("eu-west-1", "us-east-1")),
        endpoints=endpoints,
        errors=[
            ReportError(region="us-east-1", code="Throttling", message=f"gave up on call {n}")
            for n in range(errors)
        ],
        generated_at=NOW,
    )


def _banner_endpoints(count: int) -> list[EndpointReport]:
    return [
        _endpoint(
            n,
            EndpointStatus.NON_COMPLIANT,
            _finding("login-banner", "medium", expected=BANNER, actual=None),
        )
        for n in range(count)
    ]


@cache
def _validator() -> Validator:
    # The schema checked and its validator built once (jsonschema.validate does both per
    # call): the large reports' tests validate a few dozen parts of 200 KB each.
    schema = json.loads(SCHEMA_FILE.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: Validator = cls(schema)
    return validator


def _assert_valid(document: dict[str, object]) -> None:
    _validator().validate(document)


def test_a_large_report_is_split_between_whole_endpoints_into_parts_that_are_reports() -> None:
    # Given a report far larger than one SNS message, with text that needs escaping, and
    # regions that could not be checked
    report = _sweep(_banner_endpoints(3_000), errors=3)
    assert len(report.to_json().encode()) > SNS_MESSAGE_LIMIT

    # When it is turned into SNS notices
    notices = report_notices(report)

    # Then it takes several parts, each within the byte budget and SNS's limit
    count = len(notices)
    assert count > 1
    documents = [json.loads(notice.document) for notice in notices]
    for index, (notice, document) in enumerate(zip(notices, documents, strict=True), start=1):
        assert len(notice.document.encode()) <= DEFAULT_MAX_PART_BYTES
        message = json.dumps({"default": notice.document, "email": notice.text})
        assert len(message.encode()) < SNS_MESSAGE_LIMIT
        # And each part is a report of its own: valid against the schema, same report id,
        # numbered, with the WHOLE report's totals and some of its endpoints
        _assert_valid(document)
        assert document["report_id"] == report.report_id
        assert document["part"] == {"index": index, "count": count}
        assert document["summary"] == report.summary.model_dump(mode="json")
        assert document["endpoints"]
        # And its subject and attributes say which part it is
        assert notice.subject.endswith(f"(part {index} of {count})")
        assert (notice.attributes["part"], notice.attributes["parts"]) == (str(index), str(count))
    # And the errors follow the last endpoint
    assert [len(d["errors"]) for d in documents] == [0] * (count - 1) + [3]

    # When a subscriber merges the parts, in any order
    merged = merge_parts(ComplianceReport.model_validate(d) for d in reversed(documents))

    # Then it is the unsplit report, every endpoint once
    assert merged.endpoints == report.endpoints
    assert merged == report


def test_an_organizations_report_splits_its_cloudtrail_states_and_targets_not_swept() -> None:
    # Given an organization's report: 1,200 accounts x 17 regions each with its CloudTrail
    # state (far more than one part's header could carry), a few endpoints, and targets the
    # run's deadline left out
    accounts = [f"{100000000000 + n}" for n in range(1_200)]
    regions = [f"eu-region-{n}" for n in range(17)]
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper", regions=tuple(regions)),
        endpoints=_banner_endpoints(5),
        cloudtrail=[
            RegionTrail(account=account, region=region, logging=True, trails=("arn:trail",))
            for account in accounts
            for region in regions
        ],
        not_swept=[
            NotSwept(
                account=accounts[n],
                region=regions[0],
                reason="deadline_passed",
                message="no result before the deadline",
            )
            for n in range(3)
        ],
        generated_at=NOW,
    )

    # When it is turned into SNS notices
    notices = report_notices(report)

    # Then every part fits, validates, and the states travel after the endpoints
    documents = [json.loads(notice.document) for notice in notices]
    assert len(documents) > 5
    for notice, document in zip(notices, documents, strict=True):
        assert len(notice.document.encode()) <= DEFAULT_MAX_PART_BYTES
        _assert_valid(document)
    assert documents[0]["endpoints"]
    assert not documents[-1]["endpoints"]
    assert documents[-1]["not_swept"]
    # And merging gives back every state once, and the targets not swept
    merged = merge_parts(ComplianceReport.model_validate(d) for d in documents)
    assert merged == report
    assert len(merged.cloudtrail) == 1_200 * 17
    assert merged.summary.not_swept == 3


def test_a_report_that_fits_is_sent_whole() -> None:
    # Given a report of a few endpoints
    report = _sweep(_banner_endpoints(3))

    # When it is turned into notices
    (notice,) = report_notices(report)

    # Then it is one message: no part, no part number in the subject, merging is a no-op
    document = json.loads(notice.document)
    _assert_valid(document)
    assert document["part"] is None
    assert "(part" not in notice.subject
    assert (notice.attributes["part"], notice.attributes["parts"]) == ("1", "1")
    assert merge_parts([report]) == report


@pytest.fixture
def parts() -> list[ComplianceReport]:
    # 40 endpoints and 2 errors in parts of at most 6,000 bytes: several parts, quickly
    split = split_report(_sweep(_banner_endpoints(40), errors=2), max_bytes=6_000)
    assert len(split) > 3
    return split


def test_parts_never_exceed_the_byte_budget(parts: list[ComplianceReport]) -> None:
    assert all(len(part.to_json().encode()) <= 6_000 for part in parts)


def test_merging_refuses_a_missing_part(parts: list[ComplianceReport]) -> None:
    # Given every part but the second / When merged / Then the missing one is named
    with pytest.raises(ReportPartsError, match=r"missing \[2\], received twice none"):
        merge_parts([parts[0], *parts[2:]])


def test_merging_refuses_a_part_received_twice(parts: list[ComplianceReport]) -> None:
    # Given every part, the third one twice (SNS delivers at least once)
    with pytest.raises(ReportPartsError, match=r"missing none, received twice \[3\]"):
        merge_parts([*parts, parts[2]])


def test_merging_refuses_a_part_of_another_report(parts: list[ComplianceReport]) -> None:
    # Given the last part swapped for the last part of another sweep's report
    other = split_report(_sweep(_banner_endpoints(40), errors=2), max_bytes=6_000)
    assert other[-1].report_id != parts[0].report_id

    # When merged / Then both report ids are named
    with pytest.raises(ReportPartsError, match="parts of 2 different reports mixed together"):
        merge_parts([*parts[:-1], other[-1]])


def test_merging_refuses_parts_that_do_not_add_up_to_the_summary(
    parts: list[ComplianceReport],
) -> None:
    # Given a part that lost an endpoint on the way
    damaged = parts[1].model_copy(update={"endpoints": parts[1].endpoints[1:]})

    # When merged / Then the counts are compared with the summary's
    with pytest.raises(
        ReportPartsError,
        match="hold 39 endpoints, 2 errors and 0 targets not swept; the summary counts 40, 2 and 0",
    ):
        merge_parts([parts[0], damaged, *parts[2:]])


def test_merging_nothing_says_so() -> None:
    with pytest.raises(ReportPartsError, match="no parts to merge"):
        merge_parts([])


def test_a_part_number_beyond_the_count_is_not_a_report() -> None:
    with pytest.raises(ValidationError, match="part 3 of 2 does not exist"):
        ReportPart(index=3, count=2)


def test_an_endpoint_larger_than_a_part_is_delivered_shortened_never_dropped() -> None:
    # Given a sweep where one endpoint's banner alone is larger than a whole SNS message
    huge = {"Enabled": True, "BannerText": "Ünïcödé ✓ " * 40_000}
    endpoints = _banner_endpoints(5)
    endpoints[2] = _endpoint(
        2,
        EndpointStatus.REMEDIATED,
        _finding("login-banner", "medium", expected=huge, actual={"Enabled": False}),
        changes=(ReportChange(field="ClientLoginBannerOptions", before=None, after=huge),),
        fixed_rules=("login-banner",),
    )
    report = _sweep(endpoints)
    assert len(endpoints[2].model_dump_json().encode()) > DEFAULT_MAX_PART_BYTES

    # When it is turned into notices
    notices = report_notices(report)

    # Then every message stays within the budget and validates against the schema
    for notice in notices:
        assert len(notice.document.encode()) <= DEFAULT_MAX_PART_BYTES
        _assert_valid(json.loads(notice.document))
    merged = merge_parts(ComplianceReport.model_validate_json(n.document) for n in notices)
    # And every endpoint arrived; only the huge one differs, marked as shortened, its long
    # values cut to their start by the renderer's shortener
    assert [e.endpoint_id for e in merged.endpoints] == [e.endpoint_id for e in report.endpoints]
    assert [e for i, e in enumerate(merged.endpoints) if i != 2] == [
        e for i, e in enumerate(report.endpoints) if i != 2
    ]
    delivered = merged.endpoints[2]
    assert delivered.shortened
    (finding,) = delivered.findings
    assert isinstance(finding.expected, str)
    assert finding.expected.startswith('{"Enabled": true, "BannerText": "Ünïcödé ✓ Ünïcödé')
    assert finding.expected.endswith("…")
    assert finding.actual == {"Enabled": False}  # short values keep their type
    assert str(delivered.changes[0].after).endswith("…")
    assert (delivered.status, delivered.fixed_rules) == (
        EndpointStatus.REMEDIATED,
        ("login-banner",),
    )


def test_a_rule_left_unchecked_by_a_failed_read_keeps_the_report_from_being_clean() -> None:
    from cvpn_guard.findings import UnevaluatedRule
    from cvpn_guard.report import needs_notice

    # Given two compliant endpoints: one whose routes AWS refused to list, one without a VPC
    # (nothing for the security-groups rule to compare)
    refused = _endpoint(
        1,
        EndpointStatus.COMPLIANT,
        unevaluated=[
            UnevaluatedRule(
                rule="routes",
                reason="DescribeClientVpnRoutes failed: AccessDenied (no)",
                read_failed=True,
            )
        ],
    )
    nothing_to_check = _endpoint(
        2,
        EndpointStatus.COMPLIANT,
        unevaluated=[UnevaluatedRule(rule="security-groups", reason="the endpoint has no VPC")],
    )

    # Then the first is not settled (a CI gate fails, the enforcer notifies), the second is
    assert not refused.settled
    assert needs_notice(refused)
    assert nothing_to_check.settled
    assert not needs_notice(nothing_to_check)
    policy = default_policy()
    source = ReportSource(kind="cli")
    assert not build_report(policy=policy, source=source, endpoints=[refused]).clean
    assert build_report(policy=policy, source=source, endpoints=[nothing_to_check]).clean
