"""The small vocabularies of a policy: how it acts, how bad a violation is."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """What cvpn-guard does about violations."""

    ENFORCE = "enforce"
    """Remediate what can be fixed (one ModifyClientVpnEndpoint call), report the rest."""
    REPORT = "report"
    """Never modify anything, only report."""


class Severity(StrEnum):
    """How bad a violation is, from ``low`` to ``critical``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for ``low`` up to 3 for ``critical``: compare severities with it."""
        return _RANKS[self]


_RANKS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
