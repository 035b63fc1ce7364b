"""What the process exit status means, so CI pipelines can gate on a scan."""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol


class ExitCode(IntEnum):
    """The exit statuses of every command."""

    OK = 0
    """Every endpoint ends compliant or exempt (or fully remediated), nothing failed."""
    FINDINGS = 1
    """``scan``: violations remain, or an endpoint, region or account could not be checked
    (also after ``--plan`` or a declined confirmation). ``check``: findings, or a rule left
    unevaluated by a value the file does not resolve. ``policy validate``: warnings only."""
    USAGE = 2
    """Bad flags, an unreadable or invalid policy, no credentials or no region; ``scan
    --remediate`` refused (the policy's mode, no terminal to confirm on); ``check``: a path
    that does not exist, a file that cannot be parsed. Nothing changed."""


class Verdicts(Protocol):
    """What an exit status is decided on: a scan's report, a check's result."""

    @property
    def clean(self) -> bool: ...


def exit_code_for(report: Verdicts) -> ExitCode:
    """``OK`` only for a clean report (every endpoint settled, no errors) or a clean check."""
    return ExitCode.OK if report.clean else ExitCode.FINDINGS
