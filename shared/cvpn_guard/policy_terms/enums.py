"""The small vocabularies of a policy: how it acts, how bad a violation is, when it may disrupt."""

from __future__ import annotations

from datetime import date
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


class DisruptiveFixTiming(StrEnum):
    """When cvpn-guard may apply a fix that disrupts users (``disruptive_fixes.when``)."""

    ALWAYS = "always"
    """As soon as the violation is seen (the behaviour before maintenance windows existed)."""
    IN_WINDOW = "in_window"
    """Only while the endpoint's maintenance window is open; deferred until then otherwise."""
    NEVER = "never"
    """Never: disruptive violations are reported, their fixes never applied."""


class Weekday(StrEnum):
    """A day of the week, in the order ``datetime.date.weekday()`` counts them (Monday is 0)."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday of a calendar date."""
        return _WEEK[day.weekday()]


_WEEK = tuple(Weekday)
