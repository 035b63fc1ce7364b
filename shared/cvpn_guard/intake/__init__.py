"""Event intake: turns an EventBridge "AWS API Call via CloudTrail" event into work or a skip."""

from cvpn_guard.intake.classify import (
    EndpointChange,
    IntakeOutcome,
    LoopGuard,
    Skip,
    SkipReason,
    classify_event,
)

__all__ = ["EndpointChange", "IntakeOutcome", "LoopGuard", "Skip", "SkipReason", "classify_event"]
