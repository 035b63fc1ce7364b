"""What the intake makes of an event: endpoint changes to enforce, or a reasoned skip."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cvpn_guard.intake.calls import WATCHED_CALLS, ChangeKind


class SkipReason(StrEnum):
    """Why an event needs no enforcement. Values are metric dimensions: keep them stable."""

    MALFORMED = "malformed"
    UNSUPPORTED_EVENT = "unsupported_event"
    FAILED_CALL = "failed_call"
    DRY_RUN = "dry_run"
    OWN_CHANGE = "own_change"
    OTHER_ACCOUNT = "other_account"
    ACCOUNT_MISMATCH = "account_mismatch"
    """The CloudTrail record names another account than the envelope EventBridge set."""
    NOT_AN_ENDPOINT = "not_an_endpoint"
    """A tag call on other resources only (the rule pattern normally keeps these out)."""


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """A successful call by someone other than us that changed one Client VPN endpoint.

    A tag call on several endpoints becomes one change per endpoint, all with the same
    ``event_id``: :attr:`key` tells them apart.
    """

    endpoint_id: str
    event_id: str
    event_name: str
    kind: ChangeKind
    account: str
    region: str
    event_time: str | None
    actor: str | None

    @property
    def key(self) -> str:
        """This change's own key for the outbox and notice deduplication."""
        return f"{self.event_id}/{self.endpoint_id}"

    @property
    def described_as(self) -> str:
        """What the call changed, in words for notices ("tags removed")."""
        call = WATCHED_CALLS.get(self.event_name)
        return call.change if call else self.event_name


@dataclass(frozen=True, slots=True)
class Skip:
    """An event that needs no enforcement, and why."""

    reason: SkipReason
    detail: str
    event_id: str | None = None
    event_name: str | None = None


IntakeOutcome = tuple[EndpointChange, ...] | Skip
"""One change or more (never none), or a skip."""
