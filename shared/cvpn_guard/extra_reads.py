"""The reads beyond an endpoint's Describe item, each one on its own.

A rule may need more than the Describe item (authorization rules, routes, the revocation list,
the authorization policy, the VPC's default security group), and a disruptive fix counts the
users it touches (DescribeClientVpnConnections). Each is one more AWS call, and each can fail
for good (no permission, throttled beyond the retries) while every other call succeeds: such a
failure leaves only the rules that need that read unevaluated, with the call and AWS's error
as the reason, and never the others nor the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.rules import Needs

UserCount = int | AwsCallError | None
"""Active connections a disruptive fix touches, the error that kept them from being counted,
or None when the fix is not disruptive."""


def failed_read(error: AwsCallError) -> str:
    """Why a read is missing, as reports say it: the call, AWS's code and message."""
    return f"{error.operation} failed: {error.code} ({error.message})"


@dataclass
class ExtraReads:
    """What the reads answered, as ``EndpointState.from_describe`` takes it, and which failed."""

    answers: dict[str, Any] = field(default_factory=dict)
    failed: dict[Needs, AwsCallError] = field(default_factory=dict)

    def read(self, need: Needs, keyword: str, call: Callable[[], Any]) -> None:
        """Make one read; its failure is kept for the rules that need it, not raised.

        Reads never renew the lease, so a ``LeaseLost`` cannot come from one: lost leases are
        raised by the renewals before writes, outside any read.
        """
        try:
            self.answers[keyword] = call()
        except AwsCallError as error:
            self.failed[need] = error

    @property
    def unread(self) -> dict[str, str]:
        """Each failed read's ``Needs`` member -> why, as ``EndpointState.unread`` holds it."""
        return {str(need): failed_read(error) for need, error in self.failed.items()}


def count_users(count: Callable[[], int]) -> UserCount:
    """Count the active connections, or say why they could not be: the count only informs
    the report, so its failure must not stop a fix the policy asks for."""
    try:
        return count()
    except AwsCallError as error:
        return error
