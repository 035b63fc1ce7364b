"""What the process exit status means, so CI pipelines can gate on a scan."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cvpn_guard.report import ComplianceReport


class ExitCode(IntEnum):
    """The exit statuses of every command."""

    OK = 0
    """Every endpoint ends compliant or exempt (or fully remediated), nothing failed."""
    FINDINGS = 1
    """``scan``: violations remain, or an endpoint, region or account could not be checked
    (also after ``--plan`` or a declined confirmation). ``policy validate``: warnings only."""
    USAGE = 2
    """Bad flags, an unreadable or invalid policy, no credentials or no region; ``scan
    --remediate`` refused (the policy's mode, no terminal to confirm on). Nothing changed."""


def exit_code_for(report: ComplianceReport) -> ExitCode:
    """``OK`` only for a clean report: every endpoint settled and no errors."""
    return ExitCode.OK if report.clean else ExitCode.FINDINGS
