"""Errors of cvpn-guard. Every error says what went wrong and what to do next."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CvpnGuardError(Exception):
    """Base class of every error cvpn-guard raises on purpose."""


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One thing wrong with a policy document.

    Attributes
    ----------
    path : str
        Where the problem is, in the user's spelling, e.g. ``rules.session-timeout.max_hours``
        or ``exemptions[0].expires``. Empty for a problem with the document as a whole
        (unreadable file, syntax error, not a mapping).
    message : str
        What is wrong and what is allowed instead.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PolicyError(CvpnGuardError):
    """A policy document cannot be used: unreadable, malformed or invalid.

    Parameters
    ----------
    problems : Iterable[PolicyProblem]
        Every problem found (validation does not stop at the first one).
    source : str
        Where the document came from (a file name, ``<policy>`` for in-memory text).
    """

    def __init__(self, problems: Iterable[PolicyProblem], *, source: str = "<policy>") -> None:
        self.problems: tuple[PolicyProblem, ...] = tuple(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)


class ConfigurationError(CvpnGuardError):
    """The deployment's configuration (environment variables, policy source) is unusable."""


class AwsCallError(CvpnGuardError):
    """An AWS call failed for good (after botocore's retries).

    ``code`` is AWS's error code (``InvalidParameterValue``, ``RequestLimitExceeded``, ...), so
    callers can tell a permanent rejection from a transient failure.
    """

    TRANSIENT_CODES = frozenset(
        {
            "RequestLimitExceeded",
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException",
            "InternalError",
            "InternalFailure",
            "ServiceUnavailable",
            "Unavailable",
            "RequestTimeout",
            "ConnectionError",
            "InvalidResponse",
        }
    )

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed with {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed (throttling, AWS-side faults)."""
        return self.code in self.TRANSIENT_CODES
