"""Notices and reports with hostile values: the SNS message always stays well-formed.

Banner texts, descriptions, tags, exemption reasons, error messages and the actor all come
from people or from AWS and end up in an SNS message: a JSON document that subscribers
parse, a subject SNS checks (ASCII, no line breaks, under 100 characters) and an e-mail text.
No value may break any of them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    DEFAULT_MAX_PART_BYTES,
    ComplianceReport,
    EndpointReport,
    Notice,
    ReportChange,
    ReportError,
    ReportExemption,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    merge_parts,
    report_notices,
)
from tests.support.examples import examples
from tests.unit.fuzz.strategies import LONE_SURROGATES, json_values, nasty_text

FUZZ = settings(max_examples=examples(150))
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ENDPOINT_ID = "cvpn-endpoint-0123456789abcdef0"


def _endpoint(
    value: Any,
    text: str,
    *,
    status: EndpointStatus = EndpointStatus.REMEDIATION_FAILED,
    endpoint_id: str = ENDPOINT_ID,
    account: str = "123456789012",
    region: str = "eu-west-1",
) -> EndpointReport:
    """One endpoint whose free-text and JSON fields from AWS or people hold hostile values.

    (``disruption_reason`` is cvpn-guard's own sentence, built from validated numbers.)
    """
    finding = Finding(
        rule="login-banner",
        severity="medium",
        expected=value,
        actual=text,
        remediable=True,
        disruptive=True,
        disruption_reason="turning the banner on shows it at the next connection",
        message=text,
    )
    return EndpointReport(
        endpoint_id=endpoint_id,
        account=account,
        region=region,
        status=status,
        findings=(finding,),
        exempted=(ReportExemption(rule="dns-servers", reason=text, expires=date(2027, 1, 31)),),
        changes=(ReportChange(field="ClientLoginBannerOptions", before=text, after=value),),
        fixed_rules=("login-banner",),
        users_affected=3,
        error=text,
    )


def _report(endpoints: list[EndpointReport], text: str, **errors: str) -> ComplianceReport:
    return build_report(
        policy=default_policy(),
        source=ReportSource(
            kind="enforcer",
            event_id="b3a1f6d2-7c84-4e1b-9a5d-2f0c8e7d6a41",
            event_name="ModifyClientVpnEndpoint",
            actor=text,
        ),
        endpoints=endpoints,
        errors=[ReportError(region="eu-west-1", code=c, message=m) for c, m in errors.items()],
        generated_at=NOW,
    )


def assert_well_formed(notice: Notice, report: ComplianceReport) -> None:
    """What SNS and every subscriber need from a notice."""
    subject = notice.subject
    assert isinstance(subject, str)
    assert subject.isascii(), subject
    assert all(" " <= c <= "~" for c in subject), repr(subject)  # no line breaks, no controls
    assert 0 < len(subject) < 100
    assert isinstance(notice.text, str)
    assert isinstance(notice.document, str)
    # SNS carries UTF-8: everything must encode.
    notice.text.encode("utf-8")
    notice.document.encode("utf-8")
    # The JSON document is JSON, and it is the report, value for value.
    parsed = json.loads(notice.document)
    assert isinstance(parsed, dict)
    assert ComplianceReport.model_validate_json(notice.document) == report
    for name, value in notice.attributes.items():
        assert isinstance(name, str)
        assert isinstance(value, str)


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r")


HOSTILE_TEXT = nasty_text()
HOSTILE_JSON = json_values(max_leaves=12)


@FUZZ
@given(HOSTILE_JSON, HOSTILE_TEXT, st.sampled_from(list(EndpointStatus)))
@example("Authorized use only.\n</script>", '"}, "injected": {"', EndpointStatus.REMEDIATED)
@example({"BannerText": "\x1b[2J" * 5_000}, "\u202e" + "x" * 10_000, EndpointStatus.NON_COMPLIANT)
def test_endpoint_notice_stays_well_formed(value: Any, text: str, status: EndpointStatus) -> None:
    # Given an endpoint report full of hostile values
    report = _report([_endpoint(value, text, status=status)], text)

    # When the enforcer composes its notice
    notice = compose_endpoint_notice(report)

    # Then subject, text and document are intact
    assert_well_formed(notice, report)
    # And no value adds a line to the e-mail text: they are all quoted
    plain = "t" if text else ""  # an empty error or reason leaves its line out
    benign = compose_endpoint_notice(_report([_endpoint("v", plain, status=status)], plain))
    assert _line_breaks(notice.text) == _line_breaks(benign.text)


@FUZZ
@given(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT)
@example("\r\nBcc: x@example.com", "eu-west-1\n", "cvpn-endpoint-0123\x00")
@example("ｅｕ", "💥" * 60, "é" * 200)  # noqa: RUF001 - full-width on purpose
def test_subject_is_safe_whatever_the_ids(account: str, region: str, endpoint_id: str) -> None:
    # Account and region come from the event; the subject names them.
    endpoint = _endpoint("v", "t", account=account, region=region, endpoint_id=endpoint_id)
    report = _report([endpoint], "t")
    assert_well_formed(compose_endpoint_notice(report), report)


def _sweep_report(endpoints: list[EndpointReport], message: str) -> ComplianceReport:
    """What the sweeper builds: hostile values in the endpoints and in a region's error."""
    return build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper", regions=("eu-west-1",)),
        endpoints=endpoints,
        errors=[ReportError(region="eu-west-1", code="AccessDenied", message=message)],
        generated_at=NOW,
    )


def assert_delivered(notices: list[Notice], report: ComplianceReport) -> ComplianceReport:
    """Every notice is a well-formed report within the budget; merged, they are ``report``.

    Returns the merged report. Only an endpoint or error too large for a part on its own may
    differ from the original, and then it says so (``shortened``) and keeps its identity.
    """
    parts = []
    for notice in notices:
        assert notice.subject.isascii()
        assert all(" " <= c <= "~" for c in notice.subject)
        assert len(notice.subject) < 100
        notice.text.encode("utf-8")
        assert len(notice.document.encode("utf-8")) <= DEFAULT_MAX_PART_BYTES
        part = ComplianceReport.model_validate_json(notice.document)
        assert (part.report_id, part.summary) == (report.report_id, report.summary)
        parts.append(part)
    merged = merge_parts(parts)
    for received, sent in zip(
        (*merged.endpoints, *merged.errors), (*report.endpoints, *report.errors), strict=True
    ):
        if received != sent:
            assert received.shortened
            assert received.model_copy(update={"shortened": False}) != sent
    assert [e.endpoint_id for e in merged.endpoints] == [e.endpoint_id for e in report.endpoints]
    assert [e.status for e in merged.endpoints] == [e.status for e in report.endpoints]
    return merged


@settings(max_examples=examples(100))
@given(
    st.lists(st.tuples(HOSTILE_JSON, HOSTILE_TEXT), min_size=1, max_size=6),
    HOSTILE_TEXT,
)
def test_sweep_report_notices_stay_well_formed(values: list[tuple[Any, str]], message: str) -> None:
    # Given a sweep over several endpoints with hostile values, and a region that failed
    endpoints = [
        _endpoint(value, text, endpoint_id=f"cvpn-endpoint-{index:017x}")
        for index, (value, text) in enumerate(values)
    ]
    report = _sweep_report(endpoints, message)

    # When the sweeper turns it into notices
    notices = report_notices(report)

    # Then each notice is a well-formed part, and the parts merge back into the report
    assert_delivered(notices, report)


def test_a_huge_report_is_split_into_parts_that_merge_back() -> None:
    # Given a sweep whose banner values alone exceed SNS's message size
    endpoints = [
        _endpoint('\u202e"</script>\\' * 700, "é\n" * 5_000, endpoint_id=f"cvpn-endpoint-{i:017x}")
        for i in range(12)
    ]
    report = _sweep_report(endpoints, "denied")

    # When it is published
    notices = report_notices(report)

    # Then it takes several parts within the budget, that merge back into the report exactly
    assert len(notices) > 1
    assert assert_delivered(notices, report) == report


def test_a_huge_value_in_one_endpoint_is_shortened_and_the_others_arrive_whole() -> None:
    # Given a sweep where one endpoint holds 100,000 emoji and NULs (400 KB and 600 KB of JSON)
    endpoints = [
        _endpoint("v", "t", endpoint_id="cvpn-endpoint-00000000000000000"),
        _endpoint("💥" * 100_000, "\x00" * 100_000, endpoint_id="cvpn-endpoint-00000000000000001"),
        _endpoint("v", "t", endpoint_id="cvpn-endpoint-00000000000000002"),
    ]
    report = _sweep_report(endpoints, "\x00" * 100_000)

    # When it is published
    merged = assert_delivered(report_notices(report), report)

    # Then only the huge endpoint and the huge error were shortened
    assert [e.shortened for e in merged.endpoints] == [False, True, False]
    assert merged.errors[0].shortened
    assert merged.errors[0].message.endswith("…")


def test_a_lone_surrogate_in_a_large_report_keeps_every_part_within_the_budget() -> None:
    # Given a large sweep with one lone surrogate: its JSON falls back to ASCII escapes
    endpoints = [
        _endpoint("é" * 2_000, "t", endpoint_id=f"cvpn-endpoint-{i:017x}") for i in range(60)
    ]
    endpoints[7] = _endpoint("\ud800", "t", endpoint_id=f"cvpn-endpoint-{7:017x}")
    report = _sweep_report(endpoints, "denied")

    # When it is published
    notices = report_notices(report)

    # Then every part, escaped or not, stays within the budget and is JSON
    assert len(notices) > 1
    for notice in notices:
        assert len(notice.document.encode("utf-8")) <= DEFAULT_MAX_PART_BYTES
        assert json.loads(notice.document)["report_id"] == report.report_id


@pytest.mark.parametrize("surrogate", LONE_SURROGATES)
@pytest.mark.parametrize("where", ["expected", "reason"])
def test_lone_surrogates_do_not_break_the_notice(surrogate: str, where: str) -> None:
    # A Python str may hold one (a policy's "\ud800" JSON escape makes one); UTF-8 cannot.
    value = f"Authorized {surrogate} only"
    endpoint = _endpoint(value, "t") if where == "expected" else _endpoint("v", value)
    report = _report([endpoint], "t")
    notice = compose_endpoint_notice(report)
    notice.text.encode("utf-8")
    assert json.loads(notice.document)
