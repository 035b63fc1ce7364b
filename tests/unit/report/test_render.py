"""The one renderer: a finding's wording, the endpoint table, the JSON shortener."""

from __future__ import annotations

from cvpn_guard.findings import EndpointStatus, Finding, UnevaluatedRule
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    EndpointReport,
    ReportError,
    ReportSource,
    build_report,
    endpoint_details,
    finding_text,
    render_table,
    short_json,
)

BANNER = {"Enabled": True, "BannerText": "Authorized use only. " * 20}


def _finding(rule: str, *, remediable: bool = True, **values: object) -> Finding:
    return Finding.model_validate(
        {
            "rule": rule,
            "severity": "medium",
            "expected": 12,
            "actual": 24,
            "remediable": remediable,
            "disruptive": False,
            **values,
        }
    )


def _endpoint(*findings: Finding, fixed: tuple[str, ...] = ()) -> EndpointReport:
    return EndpointReport(
        endpoint_id="cvpn-endpoint-0123456789abcdef0",
        account="123456789012",
        region="eu-west-1",
        status=EndpointStatus.REMEDIATED if fixed else EndpointStatus.NON_COMPLIANT,
        findings=findings,
        fixed_rules=fixed,
    )


def test_a_finding_says_whether_it_was_fixed_could_be_or_needs_a_human() -> None:
    # Given a fixed finding, a fixable one left alone and one no Modify can fix
    fixed = _finding("session-timeout")
    fixable = _finding("login-banner", expected=BANNER, actual=None)
    human = _finding("transport-protocol", remediable=False, expected=["udp"], actual="tcp")
    endpoint = _endpoint(fixed, fixable, human, fixed=("session-timeout",))

    # When each is worded / Then the state, the severity and quoted, shortened values show
    assert finding_text(fixed, endpoint) == (
        "[MEDIUM] session-timeout (fixed): expected 12, actual 24"
    )
    assert finding_text(fixable, endpoint) == (
        f"[MEDIUM] login-banner (auto-fixable): expected {short_json(BANNER, 160)}, actual null"
    )
    assert finding_text(human, endpoint) == (
        '[MEDIUM] transport-protocol (needs a human): expected ["udp"], actual "tcp"'
    )


def test_the_shortener_quotes_and_cuts_with_an_ellipsis() -> None:
    assert short_json("x" * 100, limit=10) == '"xxxxxxxx…'
    assert short_json('a "quoted"\nline') == '"a \\"quoted\\"\\nline"'
    assert len(short_json(BANNER, 64)) == 64


def test_the_endpoint_table_always_has_a_name_column_that_the_demo_can_override() -> None:
    # Given a report of one endpoint that has no Name tag
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="cli"),
        endpoints=[_endpoint(_finding("session-timeout"), fixed=("session-timeout",))],
    )

    # When the CLI renders it, and the demo with the endpoints' names
    plain = render_table(report).splitlines()
    named = render_table(report, {"cvpn-endpoint-0123456789abcdef0": "contractors"}).splitlines()

    # Then both have the NAME column ("-" for no name), the demo's with its name
    assert plain[0].split() == ["ENDPOINT", "NAME", "ACCOUNT/REGION", "STATUS", "RULES"]
    assert plain[2].split() == [
        "cvpn-endpoint-0123456789abcdef0",
        "-",
        "123456789012/eu-west-1",
        "remediated",
        "session-timeout*",
    ]
    assert named[2].split()[1] == "contractors"


def test_an_error_line_names_the_account_when_the_error_has_one() -> None:
    # Given an organization report with an account that could not be entered, and a region
    # of the sweeper's own account that failed
    report = build_report(
        policy=default_policy(),
        source=ReportSource(kind="sweeper"),
        endpoints=[],
        errors=[
            ReportError(
                account="210987654321",
                region="us-east-1",
                code="AccessDenied",
                message="AssumeRole: not authorized",
                failed_call="AssumeRole",
            ),
            ReportError(region="eu-west-1", code="Throttling", message="Rate exceeded"),
        ],
    )

    # When it is rendered, Then each error line says where, as precisely as it is known,
    # the call that failed when known, and AWS's message quoted
    lines = [line for line in render_table(report).splitlines() if line.startswith("error:")]
    assert lines == [
        'error: 210987654321/us-east-1 AccessDenied (AssumeRole): "AssumeRole: not authorized"',
        'error: eu-west-1 Throttling: "Rate exceeded"',
    ]


def test_a_deferred_endpoint_says_until_when_in_its_notice_and_in_the_report_subject() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cvpn_guard.report import compose_endpoint_notice, report_notices

    # Given an endpoint whose banner was fixed and whose session timeout waits for its window
    until = datetime(2026, 12, 5, 2, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    held = _finding(
        "session-timeout",
        disruptive=True,
        deferred_until=until,
        held_back="outside maintenance window 'default', which opens 2026-12-05T02:00:00+01:00",
    )
    endpoint = EndpointReport(
        endpoint_id="cvpn-endpoint-0123456789abcdef0",
        account="123456789012",
        region="eu-west-1",
        status=EndpointStatus.DEFERRED,
        findings=(_finding("login-banner"), held),
        fixed_rules=("login-banner",),
    )
    report = build_report(
        policy=default_policy(), source=ReportSource(kind="enforcer"), endpoints=[endpoint]
    )

    # When the enforcer's notice and a sweep's report are composed
    notice = compose_endpoint_notice(report)
    (sweep_notice,) = report_notices(report)

    # Then the subject says DEFERRED, the text until when and why, the summary counts it
    assert notice.subject.startswith("[cvpn-guard] DEFERRED cvpn-endpoint-")
    assert "session-timeout (deferred until 2026-12-05T02:00:00+01:00)" in notice.text
    assert "not applied now: \"outside maintenance window 'default'" in notice.text
    assert notice.attributes["status"] == "deferred"
    assert report.summary.deferred == 1
    assert sweep_notice.subject.endswith(", 1 deferred")
    assert '"deferred_until":"2026-12-05T02:00:00+01:00"' in notice.document


def test_the_details_say_why_a_finding_was_not_fixed_and_why_users_were_not_counted() -> None:
    # Given an endpoint whose logging fix AWS refused while the others were applied, and whose
    # users could not be counted
    refused = _finding(
        "connection-logging",
        fix_error="ModifyClientVpnEndpoint refused ConnectionLogOptions: InvalidParameterValue: "
        "no such group",
    )
    endpoint = _endpoint(_finding("session-timeout"), refused, fixed=("session-timeout",))
    endpoint = endpoint.model_copy(
        update={"users_not_counted": "DescribeClientVpnConnections failed: Throttling (slow)"}
    )

    # When its details are written, Then both reasons show, quoted
    lines = endpoint_details(endpoint)
    assert (
        '      not fixed: "ModifyClientVpnEndpoint refused ConnectionLogOptions: '
        'InvalidParameterValue: no such group"'
    ) in lines
    assert (
        'Users affected: not counted, "DescribeClientVpnConnections failed: Throttling (slow)"'
    ) in lines


def test_the_details_list_the_rules_not_evaluated_and_why() -> None:
    # Given an endpoint whose routes could not be read
    reason = "DescribeClientVpnRoutes failed: UnauthorizedOperation (denied)"
    endpoint = _endpoint().model_copy(
        update={"unevaluated": (UnevaluatedRule(rule="routes", reason=reason),)}
    )

    # When its details are written, Then the rule and the reason show, quoted
    lines = endpoint_details(endpoint)
    assert lines == [
        "Not evaluated (found nothing, which is not a pass):",
        f'  - routes: "{reason}"',
    ]
