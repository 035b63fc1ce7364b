"""When a fix that disconnects users may be applied: now, later (deferred) or not at all.

The policy's ``disruptive_fixes`` says it (docs/policy.md, "Disruptive fixes"): always, only
inside the endpoint's maintenance window, or never; optionally only while at most
``max_connected_users`` are connected. Pure: the evaluation asks :func:`window_hold` with the
endpoint and "now"; the guard, which counts the users, asks :func:`crowd_hold`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cvpn_guard.endpoint import ClientVpnEndpoint
from cvpn_guard.findings import MAINTENANCE_WINDOW, Finding
from cvpn_guard.policy.windows import WINDOW_TAG, DisruptiveFixes
from cvpn_guard.policy_terms.enums import DisruptiveFixTiming, Severity

__all__ = ["MAINTENANCE_WINDOW", "HoldBack", "WindowVerdict", "crowd_hold", "window_hold"]

MAINTENANCE_WINDOW_SEVERITY = Severity.MEDIUM


@dataclass(frozen=True, slots=True)
class HoldBack:
    """Why the disruptive fixes of one endpoint are not applied now.

    ``deferred``: a later run applies them (its window opens, fewer users are connected);
    ``until`` is the next window start when that is when. Not deferred: they are never
    applied until the policy or the endpoint's tag changes (``when: never``, unknown window).
    """

    reason: str
    deferred: bool
    until: datetime | None = None

    def sentence(self) -> str:
        """What a finding's text says about its held-back fix."""
        if not self.deferred:
            return f"Its fix disconnects users and is held back: {self.reason}."
        if self.until is not None:
            return f"Its fix disconnects users: deferred until {self.until.isoformat()} ({self.reason})."
        return f"Its fix disconnects users: deferred ({self.reason})."

    def report_sentence(self) -> str:
        """What a report-only run says: what enforcement would do with the fix now."""
        if not self.deferred:
            return f"In enforce mode its fix, which disconnects users, is held back: {self.reason}."
        when = f" until {self.until.isoformat()}" if self.until is not None else ""
        return f"In enforce mode its fix, which disconnects users, waits{when} ({self.reason})."


@dataclass(frozen=True, slots=True)
class WindowVerdict:
    """What the policy's windows say for one endpoint now.

    ``hold`` is None when a disruptive fix may be applied now; ``problem`` is the finding
    for a window name the policy does not define; ``note`` says, for report-only runs,
    which window applies when it is open.
    """

    hold: HoldBack | None = None
    problem: Finding | None = None
    note: str | None = None


ALLOWED = WindowVerdict()


def window_hold(
    fixes: DisruptiveFixes,
    endpoint: ClientVpnEndpoint,
    now: datetime,
    *,
    ignore_windows: bool = False,
) -> WindowVerdict:
    """Whether the endpoint's maintenance window lets a disruptive fix be applied at ``now``.

    ``ignore_windows`` (the CLI's ``--ignore-windows``) treats every window as open; it never
    overrides ``when: never``.
    """
    if fixes.when is DisruptiveFixTiming.NEVER:
        return WindowVerdict(
            hold=HoldBack(
                "the policy never applies disruptive fixes (disruptive_fixes.when: never)",
                deferred=False,
            )
        )
    if fixes.when is DisruptiveFixTiming.ALWAYS or ignore_windows:
        return ALLOWED
    tags = endpoint.tags  # built per call: read only where windows apply
    name, window = fixes.window_for(tags)
    if window is None:
        tagged = WINDOW_TAG in tags
        reason = (
            f"its maintenance window {name!r} is not defined in disruptive_fixes.windows"
            if tagged
            else "no maintenance window applies (no tag, no 'default' window)"
        )
        problem = _unknown_window(name, tagged=tagged, known=sorted(fixes.windows))
        return WindowVerdict(hold=HoldBack(reason, deferred=False), problem=problem)
    opening = window.opening_at(now)
    if opening is not None:
        return WindowVerdict(
            note=f"maintenance window {name!r} is open until {opening.end.isoformat()}"
        )
    upcoming = window.next_opening(now)
    return WindowVerdict(
        hold=HoldBack(
            f"outside maintenance window {name!r}, which opens {upcoming.start.isoformat()}",
            deferred=True,
            until=upcoming.start,
        )
    )


def crowd_hold(fixes: DisruptiveFixes, users: int | None, problem: str | None) -> HoldBack | None:
    """Whether too many connected users hold a disruptive fix back.

    ``users`` None: they could not be counted (``problem`` says why); with a threshold set,
    that defers the fix too, since nobody can say how many it would disconnect.
    """
    limit = fixes.max_connected_users
    if limit is None:
        return None
    if users is None:
        return HoldBack(
            f"the connected users could not be counted ({problem}) and "
            f"disruptive_fixes.max_connected_users is {limit}",
            deferred=True,
        )
    if users > limit:
        return HoldBack(
            f"{users} users are connected, more than disruptive_fixes.max_connected_users "
            f"({limit}); a later run tries again",
            deferred=True,
        )
    return None


def _unknown_window(name: str, *, tagged: bool, known: list[str]) -> Finding:
    where = (
        f"its tag {WINDOW_TAG}={name!r} names a maintenance window"
        if tagged
        else "it has no tag " + WINDOW_TAG + " and the policy defines no 'default' window"
    )
    return Finding(
        rule=MAINTENANCE_WINDOW,
        severity=MAINTENANCE_WINDOW_SEVERITY,
        expected={"window": known},
        actual={"window": name, "tagged": tagged},
        remediable=False,
        disruptive=False,
        message=(
            f"The endpoint's disruptive fixes are held back: {where} that "
            "disruptive_fixes.windows does not define. "
            "Correct the tag or add the window to the policy."
            if tagged
            else f"The endpoint's disruptive fixes are held back: {where}. "
            f"Tag it {WINDOW_TAG}=<one of {', '.join(known) or 'the windows'}> or add a "
            "'default' window to the policy."
        ),
    )
