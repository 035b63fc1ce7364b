"""Event intake: turns an EventBridge "AWS API Call via CloudTrail" event into work or a skip."""

from cvpn_guard.intake.calls import WATCHED_CALLS, ChangeKind, WatchedCall
from cvpn_guard.intake.classify import classify_event
from cvpn_guard.intake.loop_guard import LoopGuard
from cvpn_guard.intake.outcomes import EndpointChange, IntakeOutcome, Skip, SkipReason

__all__ = [
    "WATCHED_CALLS",
    "ChangeKind",
    "EndpointChange",
    "IntakeOutcome",
    "LoopGuard",
    "Skip",
    "SkipReason",
    "WatchedCall",
    "classify_event",
]
