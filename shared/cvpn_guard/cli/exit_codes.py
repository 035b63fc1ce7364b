"""What the process exit status means, so CI pipelines can gate on a scan."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cvpn_guard.report import ComplianceReport, EndpointReport


class ExitCode(IntEnum):
    """The exit statuses of every command."""

    OK = 0
    """Every endpoint ends compliant or exempt (or fully remediated), nothing failed."""
    FINDINGS = 1
    """Violations remain, or an endpoint or region could not be checked."""
    USAGE = 2
    """Bad flags, an unreadable or invalid policy, no credentials or no region."""


def endpoint_settled(endpoint: EndpointReport) -> bool:
    """True when nothing about ``endpoint`` still needs a human.

    A remediated endpoint counts only when every finding was fixed: a fix of some rules can
    leave a report-only finding (e.g. connection logging) behind.
    """
    from cvpn_guard.report import EndpointStatus

    if endpoint.status in (EndpointStatus.COMPLIANT, EndpointStatus.EXEMPT):
        return True
    if endpoint.status is EndpointStatus.REMEDIATED:
        fixed = set(endpoint.fixed_rules)
        return all(finding.rule in fixed for finding in endpoint.findings)
    return False


def exit_code_for(report: ComplianceReport) -> ExitCode:
    """``OK`` only for a clean report: every endpoint settled and no errors."""
    if report.errors:
        return ExitCode.FINDINGS
    if all(endpoint_settled(endpoint) for endpoint in report.endpoints):
        return ExitCode.OK
    return ExitCode.FINDINGS
