"""The sweeper's maintenance-window tick: apply the deferred disruptive fixes inside a window.

The windows live in the policy document, which changes without a stack update, so no
schedule can be derived from them: EventBridge Scheduler sends this tick every 15 minutes
(template.yaml, WindowTick). A tick does nothing (beyond reading the policy) unless the policy
enforces with ``disruptive_fixes.when: in_window`` and a window is open now; then it sweeps
as the daily schedule does (describe and evaluate again, apply what is still needed, never an
old plan), and marks the opening settled so the next ticks of the same opening return at
once. An opening is left unsettled (swept again next tick) while a fix still waits for fewer
connected users, or a region could not be swept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cvpn_guard.findings import EndpointStatus
from cvpn_guard.policy import DisruptiveFixTiming, Mode, Policy
from cvpn_guard.policy.windows import WindowOpening
from cvpn_guard.ports import WindowLedger
from cvpn_guard.report import ComplianceReport

WINDOW_TICK_EVENT = {"cvpn-guard": "maintenance-window-tick"}
"""What the window tick sends (template.yaml, WindowTick)."""


@dataclass(frozen=True, slots=True)
class DueOpenings:
    """The window openings a tick must sweep for, or why it has nothing to do."""

    openings: Mapping[str, WindowOpening]
    idle_because: str | None = None


def due_openings(policy: Policy, now: datetime, ledger: WindowLedger) -> DueOpenings:
    """The openings of the policy's windows that are open at ``now`` and not yet settled."""
    fixes = policy.disruptive_fixes
    if policy.mode is not Mode.ENFORCE:
        return DueOpenings({}, "the policy only reports (mode: report): nothing is deferred")
    if fixes.when is not DisruptiveFixTiming.IN_WINDOW:
        return DueOpenings(
            {}, f"disruptive_fixes.when is {fixes.when}: no maintenance window to meet"
        )
    open_now = {
        name: opening
        for name, window in fixes.windows.items()
        if (opening := window.opening_at(now)) is not None
    }
    if not open_now:
        upcoming = min(window.next_opening(now).start for window in fixes.windows.values())
        return DueOpenings({}, f"no maintenance window is open (the next opens {upcoming:%c %z})")
    due = {
        name: opening
        for name, opening in open_now.items()
        if not ledger.window_settled(opening_key(name, opening))
    }
    if not due:
        return DueOpenings({}, "the open windows' deferred fixes were applied already")
    return DueOpenings(due)


def opening_key(name: str, opening: WindowOpening) -> str:
    """The ledger's key of one opening of window ``name``."""
    return f"{name}#{opening.start.isoformat()}"


def still_waiting(report: ComplianceReport) -> bool:
    """Whether a tick's sweep left work inside the open windows: a fix waiting for fewer
    users (it has no window start to wait for), or a region or endpoint not checked."""
    if report.errors:
        return True
    return any(
        finding.held_back is not None and finding.deferred_until is None
        for endpoint in report.endpoints
        if endpoint.status is EndpointStatus.DEFERRED
        for finding in endpoint.findings
    )


def settle(ledger: WindowLedger, openings: Mapping[str, WindowOpening]) -> None:
    """Mark ``openings`` settled until each one's end."""
    for name, opening in openings.items():
        ledger.settle_window(opening_key(name, opening), opening.end.timestamp())


def tick(
    policy: Policy,
    now: datetime,
    ledger: WindowLedger,
    sweep: Callable[[], ComplianceReport | None],
) -> dict[str, Any]:
    """One tick: sweep when an open window has deferred work, then settle its opening.

    ``sweep`` returns the report of a sweep made here, or None when it only started one
    (organization mode: the workers report later); then the openings are settled unless
    connected users may still hold fixes back (``max_connected_users``).
    """
    due = due_openings(policy, now, ledger)
    if due.idle_because is not None:
        return {"window_tick": "idle", "reason": due.idle_because}
    report = sweep()
    waiting = (
        still_waiting(report)
        if report is not None
        else policy.disruptive_fixes.max_connected_users is not None
    )
    if not waiting:
        settle(ledger, due.openings)
    return {
        "window_tick": "swept",
        "windows": {name: opening.start.isoformat() for name, opening in due.openings.items()},
        "settled": not waiting,
    }
