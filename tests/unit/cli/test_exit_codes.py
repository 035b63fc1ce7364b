"""Exit status from a report: 0 only when nothing needs a human and nothing failed."""

from __future__ import annotations

import pytest

from cvpn_guard.cli.exit_codes import ExitCode, exit_code_for
from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.policy import default_policy
from cvpn_guard.report import (
    EndpointReport,
    ReportError,
    ReportSource,
    build_report,
)


def finding(rule: str, *, remediable: bool = True) -> Finding:
    return Finding(
        rule=rule,
        severity="high",
        expected=True,
        actual=False,
        remediable=remediable,
        disruptive=False,
    )


def endpoint(
    status: EndpointStatus,
    findings: tuple[Finding, ...] = (),
    fixed: tuple[str, ...] = (),
    number: int = 0,
) -> EndpointReport:
    return EndpointReport(
        endpoint_id=f"cvpn-endpoint-{number:017x}",
        account="123456789012",
        region="eu-west-1",
        status=status,
        findings=findings,
        fixed_rules=fixed,
    )


COMPLIANT = endpoint(EndpointStatus.COMPLIANT)
EXEMPT = endpoint(EndpointStatus.EXEMPT, number=1)
FULLY_FIXED = endpoint(
    EndpointStatus.REMEDIATED,
    (finding("session-timeout"), finding("login-banner")),
    ("session-timeout", "login-banner"),
    number=2,
)
PARTLY_FIXED = endpoint(
    EndpointStatus.REMEDIATED,
    (finding("session-timeout"), finding("connection-logging", remediable=False)),
    ("session-timeout",),
    number=3,
)
NON_COMPLIANT = endpoint(EndpointStatus.NON_COMPLIANT, (finding("login-banner"),), number=4)
FAILED = endpoint(EndpointStatus.REMEDIATION_FAILED, (finding("login-banner"),), number=5)


@pytest.mark.parametrize(
    ("endpoints", "expected"),
    [
        ((), ExitCode.OK),
        ((COMPLIANT, EXEMPT), ExitCode.OK),
        ((COMPLIANT, FULLY_FIXED), ExitCode.OK),
        ((COMPLIANT, PARTLY_FIXED), ExitCode.FINDINGS),
        ((COMPLIANT, NON_COMPLIANT), ExitCode.FINDINGS),
        ((FAILED,), ExitCode.FINDINGS),
    ],
    ids=["empty", "compliant-exempt", "fully-fixed", "report-only-left", "violation", "failed"],
)
def test_exit_code_follows_what_is_left_to_do(
    endpoints: tuple[EndpointReport, ...], expected: ExitCode
) -> None:
    built = build_report(
        policy=default_policy(), source=ReportSource(kind="cli"), endpoints=endpoints
    )
    assert exit_code_for(built) is expected


def test_an_error_exits_1_even_when_every_checked_endpoint_is_compliant() -> None:
    # Given a region that could not be checked next to a compliant endpoint
    built = build_report(
        policy=default_policy(),
        source=ReportSource(kind="cli"),
        endpoints=[COMPLIANT],
        errors=[ReportError(region="us-east-1", code="UnauthorizedOperation", message="no")],
    )

    # Then the scan cannot vouch for the estate
    assert exit_code_for(built) is ExitCode.FINDINGS


def test_settled_means_nothing_left_for_a_human() -> None:
    assert COMPLIANT.settled
    assert EXEMPT.settled
    assert FULLY_FIXED.settled
    assert not PARTLY_FIXED.settled
    assert not NON_COMPLIANT.settled
    assert not FAILED.settled


def test_exit_codes_are_the_documented_numbers() -> None:
    assert (ExitCode.OK, ExitCode.FINDINGS, ExitCode.USAGE) == (0, 1, 2)
