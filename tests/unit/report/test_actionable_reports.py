"""Reports say what to do: who the endpoint is, what changed, what failed and why, in every
format; the policy named as `policy validate` names it; subjects that do not hide errors."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from cvpn_guard.cli import main
from cvpn_guard.findings import EndpointStatus, Finding, UnevaluatedRule
from cvpn_guard.policy import Mode, default_policy, load_policy_file
from cvpn_guard.report import (
    CSV_COLUMNS,
    ComplianceReport,
    EndpointReport,
    NotSwept,
    ReportChange,
    ReportError,
    ReportSource,
    build_report,
    compose_endpoint_notice,
    render_csv,
    render_summary,
    render_table,
    report_notices,
    split_report,
    subject_for,
)
from cvpn_guard.report.publishing import SUBJECT_LIMIT

ACCOUNT = "123456789012"
REFUSING = "210987654321"
FAILED_ID = "cvpn-endpoint-0000000000000000f"
FIXED_ID = "cvpn-endpoint-0000000000000000a"


def _finding(rule: str, **values: object) -> Finding:
    return Finding.model_validate(
        {
            "rule": rule,
            "severity": "high",
            "expected": [443],
            "actual": 1194,
            "remediable": True,
            "disruptive": True,
            **values,
        }
    )


def _fixed() -> EndpointReport:
    return EndpointReport(
        endpoint_id=FIXED_ID,
        name="contractors",
        account=ACCOUNT,
        region="eu-west-1",
        status=EndpointStatus.REMEDIATED,
        findings=(_finding("vpn-port"),),
        changes=(ReportChange(field="VpnPort", before=1194, after=443),),
        fixed_rules=("vpn-port",),
        users_affected=5,
    )


def _failed() -> EndpointReport:
    return EndpointReport(
        endpoint_id=FAILED_ID,
        name="partners",
        account=ACCOUNT,
        region="eu-west-1",
        status=EndpointStatus.REMEDIATION_FAILED,
        findings=(_finding("vpn-port"),),
        users_not_counted="DescribeClientVpnConnections failed: Throttling (slow down)",
        error="UnauthorizedOperation: You are not authorized to perform this operation.",
        failed_call="ModifyClientVpnEndpoint",
    )


def _unread() -> EndpointReport:
    return EndpointReport(
        endpoint_id="cvpn-endpoint-0000000000000000c",
        account=ACCOUNT,
        region="us-east-1",
        status=EndpointStatus.COMPLIANT,
        unevaluated=(
            UnevaluatedRule(
                rule="authorization",
                reason="DescribeClientVpnAuthorizationRules failed: AccessDenied (no)",
                read_failed=True,
            ),
        ),
    )


def _org_report(*endpoints: EndpointReport) -> ComplianceReport:
    # An organization sweep: one account swept, one refusing AssumeRole in two regions, one
    # left out when the deadline came, one endpoint whose check AWS throttled.
    return build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=endpoints,
        errors=[
            ReportError(
                account=REFUSING,
                region=region,
                code="AccessDenied",
                message="AssumeRole: not authorized",
                failed_call="AssumeRole",
            )
            for region in ("eu-west-1", "us-east-1")
        ]
        + [
            ReportError(
                account=ACCOUNT,
                region="eu-west-1",
                endpoint_id="cvpn-endpoint-0000000000000000e",
                name="lab",
                code="Throttling",
                message="Rate exceeded",
                failed_call="DescribeClientVpnAuthorizationRules",
            )
        ],
        not_swept=[NotSwept(account="345678901234", reason="deadline_passed", message="no answer")],
    )


def test_the_table_names_each_endpoint_and_says_what_changed_and_what_failed_under_it() -> None:
    # Given a sweep that fixed one endpoint, failed to fix another and could not read a
    # rule's input of a third
    report = _org_report(_fixed(), _failed(), _unread())

    # When it is rendered as the CLI's table
    lines = render_table(report).splitlines()

    # Then every endpoint's line has its Name tag ("-" when it has none)
    assert lines[0].split()[:2] == ["ENDPOINT", "NAME"]
    rows = {line.split()[0]: line.split() for line in lines if line.startswith("cvpn-endpoint")}
    assert rows[FIXED_ID][1] == "contractors"
    assert rows[FAILED_ID][1] == "partners"
    assert rows["cvpn-endpoint-0000000000000000c"][1] == "-"

    # And under the fixed one: before -> after and the users affected
    fixed = lines.index(next(line for line in lines if line.startswith(FIXED_ID)))
    assert lines[fixed + 1 : fixed + 4] == [
        "    Changes made:",
        "      - VpnPort: 1194 -> 443",
        "    Users affected: 5 active connection(s) at the time of the change.",
    ]
    # And under the failed one: the call that failed, AWS's code and message, why users
    # were not counted
    failed = lines.index(next(line for line in lines if line.startswith(FAILED_ID)))
    assert lines[failed + 1 : failed + 3] == [
        "    Remediation failed (ModifyClientVpnEndpoint): "
        '"UnauthorizedOperation: You are not authorized to perform this operation."',
        '    Users affected: not counted, "DescribeClientVpnConnections failed: Throttling '
        '(slow down)"',
    ]
    # And under the unread one: the rule that was not checked and the read AWS refused
    assert (
        '      - authorization: "DescribeClientVpnAuthorizationRules failed: AccessDenied (no)"'
        in lines
    )


def test_the_table_lists_an_endpoint_not_checked_and_every_region_and_account_error() -> None:
    # Given the organization report with its errors and a target not swept
    report = _org_report(_fixed())

    # When it is rendered
    lines = render_table(report).splitlines()

    # Then the endpoint whose check failed is a row of its own, with the reason under it
    errored = lines.index(next(line for line in lines if "cvpn-endpoint-0000000000000000e" in line))
    assert lines[errored].split() == [
        "cvpn-endpoint-0000000000000000e",
        "lab",
        f"{ACCOUNT}/eu-west-1",
        "error",
        "-",
    ]
    assert lines[errored + 1] == (
        '    Could not check: Throttling (DescribeClientVpnAuthorizationRules): "Rate exceeded"'
    )
    # And each region error and the account not swept have their own line below the summary
    assert [line for line in lines if line.startswith(("error:", "not swept:"))] == [
        f'error: {REFUSING}/eu-west-1 AccessDenied (AssumeRole): "AssumeRole: not authorized"',
        f'error: {REFUSING}/us-east-1 AccessDenied (AssumeRole): "AssumeRole: not authorized"',
        'not swept: 345678901234/every region deadline_passed: "no answer"',
    ]


def test_a_hostile_name_tag_cannot_add_a_line_or_move_the_cursor() -> None:
    # Given an endpoint whose Name tag holds a line break, a terminal escape and a C1 CSI
    hostile = "evil\nerror: all clear\x1b[2J\x9b" + "x" * 300
    endpoint = _fixed().model_copy(update={"name": hostile})
    report = build_report(
        policy=default_policy(), source=ReportSource(kind="cli"), endpoints=[endpoint]
    )

    # When it is rendered in the table, the e-mail text and the notice
    texts = [render_table(report), render_summary(report), compose_endpoint_notice(report).text]

    # Then no text gains a line and none carries a control character
    assert not any(
        line.startswith("error: all clear") for text in texts for line in text.splitlines()
    )
    assert all(ch == "\n" or ch.isprintable() for text in texts for ch in text)
    # And the table's cell is cut to its width
    row = next(line for line in render_table(report).splitlines() if line.startswith(FIXED_ID))
    assert row.split()[1:4] == ["evil\\nerror:", "all", "clear\\…"]


def test_the_csv_has_name_error_and_reason_and_a_row_per_failed_region_account_and_endpoint() -> (
    None
):
    # Given the organization report of a failed fix, a rule not checked, region errors, an
    # endpoint not checked and an account not swept
    report = _org_report(_fixed(), _failed(), _unread())

    # When it is written as CSV
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))

    # Then the header keeps the columns others parse, with name, error and reason added
    assert CSV_COLUMNS[:3] == ["account", "region", "endpoint_id"]
    assert {"name", "error", "reason"} <= set(CSV_COLUMNS)
    assert list(rows[0]) == CSV_COLUMNS

    def pick(**where: str) -> list[dict[str, str]]:
        return [row for row in rows if all(row[key] == value for key, value in where.items())]

    # And the failed fix says its code, the call and AWS's message
    (failed,) = pick(endpoint_id=FAILED_ID)
    assert (failed["name"], failed["error"], failed["reason"]) == (
        "partners",
        "UnauthorizedOperation",
        "ModifyClientVpnEndpoint: UnauthorizedOperation: You are not authorized to perform "
        "this operation.",
    )
    # And the fixed one has no error
    (fixed,) = pick(endpoint_id=FIXED_ID)
    assert (fixed["name"], fixed["fixed"], fixed["error"], fixed["reason"]) == (
        "contractors",
        "true",
        "",
        "",
    )
    # And the rule whose read failed, each refusing region, the endpoint not checked and
    # the account not swept are rows of their own
    (unread,) = pick(endpoint_id="cvpn-endpoint-0000000000000000c", error="read_failed")
    assert (unread["rule"], unread["error"]) == ("authorization", "read_failed")
    assert "AccessDenied" in unread["reason"]
    refusing = pick(account=REFUSING)
    assert [(r["region"], r["status"], r["error"], r["reason"]) for r in refusing] == [
        (region, "error", "AccessDenied", "AssumeRole: AssumeRole: not authorized")
        for region in ("eu-west-1", "us-east-1")
    ]
    (errored,) = pick(endpoint_id="cvpn-endpoint-0000000000000000e")
    assert (errored["name"], errored["error"]) == ("lab", "Throttling")
    (left_out,) = pick(account="345678901234")
    assert (left_out["region"], left_out["status"], left_out["reason"]) == (
        "",
        "not_swept",
        "deadline_passed: no answer",
    )


def test_a_csv_cell_that_starts_like_a_formula_is_kept_as_text() -> None:
    # Given an endpoint named like a spreadsheet formula
    endpoint = _fixed().model_copy(update={"name": '=HYPERLINK("http://x")'})
    report = build_report(
        policy=default_policy(), source=ReportSource(kind="cli"), endpoints=[endpoint]
    )

    # When it is written as CSV, Then a spreadsheet reads the name as text
    (row,) = csv.DictReader(io.StringIO(render_csv(report)))
    assert row["name"] == '\'=HYPERLINK("http://x")'


def test_the_email_text_names_the_endpoints_and_the_endpoint_not_checked() -> None:
    # Given the organization report / When its e-mail text is written
    text = render_summary(_org_report(_failed()))

    # Then the endpoints needing attention and the one not checked are named
    assert f'{FAILED_ID} ("partners"): vpn-port' in text
    assert (
        f'{ACCOUNT}/eu-west-1 cvpn-endpoint-0000000000000000e ("lab"): Throttling '
        '(DescribeClientVpnAuthorizationRules): "Rate exceeded"'
    ) in text
    assert "not swept: 1" in text


def test_a_huge_name_tag_is_shortened_like_every_other_value_when_a_part_must_fit() -> None:
    # Given an endpoint whose Name tag alone is larger than a part
    endpoint = _fixed().model_copy(update={"name": "n" * 5_000})
    report = build_report(
        policy=default_policy(), source=ReportSource(kind="cli"), endpoints=[endpoint]
    )

    # When the report is split with a small budget
    (part,) = split_report(report, max_bytes=4_000)

    # Then the name is cut with "…" and the endpoint says it was shortened
    (shortened,) = part.endpoints
    assert shortened.shortened
    assert shortened.name is not None
    assert shortened.name.endswith("…")
    assert len(shortened.name) < 5_000


# --- the policy named as `policy validate` names it ----------------------------------------


def _validated_hash(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["policy", "validate", str(path)]) == 0
    found = re.findall(r"sha256:[0-9a-f]{64}", capsys.readouterr().out)
    assert len(found) == 1
    return found[0]


def test_a_report_under_a_mode_override_carries_the_hash_policy_validate_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an enforce document
    path = tmp_path / "org.yaml"
    path.write_text("version: 1\nmode: enforce\nrules:\n  vpn-port: {allowed: [443]}\n")
    validated = _validated_hash(path, capsys)

    # When a report is made with its mode overridden to report (scan without --remediate,
    # ENFORCEMENT_MODE=report), and one with its own mode
    overridden = build_report(
        policy=load_policy_file(path).with_mode(Mode.REPORT),
        source=ReportSource(kind="cli"),
        endpoints=[],
    )
    as_written = build_report(
        policy=load_policy_file(path), source=ReportSource(kind="cli"), endpoints=[]
    )

    # Then both carry the document's hash, the mode that applied and the document's mode
    assert overridden.policy.content_hash == validated
    assert (overridden.policy.mode, overridden.policy.document_mode) == ("report", "enforce")
    assert as_written.policy.content_hash == validated
    assert (as_written.policy.mode, as_written.policy.document_mode) == ("enforce", "enforce")


# --- subjects that name errors ----------------------------------------------------------------


def test_the_report_subject_names_its_errors_and_what_was_not_swept() -> None:
    # Given the organization report: 3 errors and an account not swept
    report = _org_report(_fixed())

    # When its notice is composed
    (notice,) = report_notices(report)

    # Then the subject counts the errors and names the first ones, within SNS's limit
    assert notice.subject == (
        "[cvpn-guard] REPORT 1 endpoints, 0 non-compliant, 1 remediated, 4 ERRORS: "
        "345678901234 not swept"
    )
    assert len(notice.subject) <= SUBJECT_LIMIT
    assert notice.subject.isascii()


def test_a_report_whose_every_account_refused_does_not_read_as_clean() -> None:
    # Given an organization sweep where all three accounts refused AssumeRole
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=[],
        errors=[
            ReportError(account=account, region="eu-west-1", code="AccessDenied", message="no")
            for account in (REFUSING, "345678901234", "456789012345")
        ],
    )

    # When its notice is composed, Then the subject says 3 ERRORS and names the first one,
    # as much of it as SNS's 99 characters leave room for
    (notice,) = report_notices(report)
    assert notice.subject == (
        f"[cvpn-guard] REPORT 0 endpoints, 0 non-compliant, 0 remediated, 3 ERRORS: {REFUSING} "
        "AccessDenied"
    )


def test_one_accounts_errors_of_one_code_are_named_once() -> None:
    # Given one account refusing in two regions and not swept elsewhere
    report = _org_report().model_copy(update={"not_swept": ()})
    report = build_report(
        policy=default_policy(),
        source=report.source,
        endpoints=[],
        errors=report.errors[:2],
    )

    # When its notice is composed, Then the account is named once for both errors
    (notice,) = report_notices(report)
    assert notice.subject.endswith(f", 2 ERRORS: {REFUSING} AccessDenied")


def test_every_part_of_a_split_report_keeps_the_errors_and_its_part_number() -> None:
    # Given a large report with errors, split into parts
    endpoints = [
        _fixed().model_copy(update={"endpoint_id": f"cvpn-endpoint-{i:017x}", "name": "x" * 200})
        for i in range(1_500)
    ]
    report = _org_report(*endpoints)

    # When its notices are composed
    notices = report_notices(report)

    # Then each subject fits, names the errors and ends with its part number
    assert len(notices) > 1
    for index, notice in enumerate(notices, start=1):
        assert len(notice.subject) <= SUBJECT_LIMIT
        assert ", 4 ERRORS" in notice.subject
        assert notice.subject.endswith(f"(part {index} of {len(notices)})")


def test_an_endpoint_notice_names_the_failed_remediation_and_the_rule_not_checked() -> None:
    # Given an endpoint whose fix AWS refused, and one whose rule's read AWS refused
    failed, unread = _failed(), _unread()

    # When their subjects are written
    # Then each names its error, within SNS's limit
    assert subject_for(failed) == (
        f"[cvpn-guard] REMEDIATION_FAILED {FAILED_ID} {ACCOUNT}: UnauthorizedOperation"
    )
    assert subject_for(unread) == (
        f"[cvpn-guard] COMPLIANT cvpn-endpoint-0000000000000000c {ACCOUNT}: authorization not "
        "checked"
    )
    # And an endpoint without errors keeps its subject
    assert subject_for(_fixed()) == f"[cvpn-guard] REMEDIATED {FIXED_ID} {ACCOUNT}/eu-west-1"
