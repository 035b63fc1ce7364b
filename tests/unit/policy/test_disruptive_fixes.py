"""The evaluation under disruptive_fixes: what is applied now, deferred, or held back for good."""

from __future__ import annotations

from typing import Any

import pytest

from cvpn_guard.evaluation import evaluate
from cvpn_guard.fix_timing import MAINTENANCE_WINDOW, crowd_hold
from cvpn_guard.policy import WINDOW_TAG
from tests.unit.policy.builders import (
    BANNER,
    FRIDAY_NOON,
    SATURDAY_0230_BERLIN,
    WEEKEND_NIGHTS,
    build_policy,
    build_state,
)

# Weeknights 22:00-23:30 in London (UTC+0 in December); the default window is WEEKEND_NIGHTS.
WEEKNIGHTS = {
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "start": "22:00",
    "end": "23:30",
    "timezone": "Europe/London",
}
RULES = {
    "login-banner": {"required": True, "text": BANNER},
    "session-timeout": {"max_hours": 12},
}


def drifted(window: str | None = None) -> Any:
    """A banner that is off (fix disconnects nobody) and a 24-hour session (fix is disruptive),
    tagged for ``window`` when given."""
    tags = [{"Key": WINDOW_TAG, "Value": window}] if window else []
    return build_state(
        {
            "ClientLoginBannerOptions": {"Enabled": False},
            "SessionTimeoutHours": 24,
            "Tags": tags,
        }
    )


def in_window(mode: str = "enforce", **fixes: Any) -> Any:
    return build_policy(
        RULES,
        mode=mode,
        disruptive_fixes={
            "when": "in_window",
            "windows": {"default": WEEKEND_NIGHTS, "emea-weeknights": WEEKNIGHTS},
            **fixes,
        },
    )


def finding(evaluation: Any, rule: str) -> Any:
    return next(f for f in evaluation.findings if f.rule == rule)


def test_outside_the_window_the_banner_is_fixed_now_and_the_session_timeout_deferred() -> None:
    # Given a drifted endpoint and a policy whose default window is closed now
    # When it is evaluated
    evaluation = evaluate(drifted(), in_window(), FRIDAY_NOON)

    # Then only the banner's fix is planned; the session timeout's waits for Saturday 02:00
    # Berlin time, said in the window's own offset
    assert evaluation.plan.rules == ("login-banner",)
    assert evaluation.deferred.rules == ("session-timeout",)
    held = finding(evaluation, "session-timeout")
    assert held.deferred_until is not None
    assert held.deferred_until.isoformat() == "2026-12-05T02:00:00+01:00"
    assert "deferred until 2026-12-05T02:00:00+01:00" in held.message
    assert held.held_back is not None
    assert "'default'" in held.held_back
    assert held.remediable
    assert finding(evaluation, "login-banner").deferred_until is None


def test_inside_the_window_every_fix_is_planned() -> None:
    # Given the same endpoint, evaluated on Saturday at 02:30 in Berlin
    evaluation = evaluate(drifted(), in_window(), SATURDAY_0230_BERLIN)

    # Then both fixes are planned and nothing is deferred
    assert set(evaluation.plan.rules) == {"login-banner", "session-timeout"}
    assert evaluation.deferred.is_empty
    assert all(f.deferred_until is None for f in evaluation.findings)


def test_a_tag_selects_another_window() -> None:
    # Given the endpoint tagged for the weeknight window (Friday 22:00 London)
    tagged = drifted(window="emea-weeknights")

    # When it is evaluated on Friday at noon
    evaluation = evaluate(tagged, in_window(), FRIDAY_NOON)

    # Then its fix waits for that window, not the default one
    held = finding(evaluation, "session-timeout")
    assert held.deferred_until is not None
    assert held.deferred_until.isoformat() == "2026-12-04T22:00:00+00:00"


def test_a_tag_naming_an_unknown_window_is_a_finding_and_holds_the_fix_back_for_good() -> None:
    # Given the endpoint tagged with a window the policy does not define
    tagged = drifted(window="apac-nights")

    # When it is evaluated, even inside the default window
    evaluation = evaluate(tagged, in_window(), SATURDAY_0230_BERLIN)

    # Then a finding names the tag, the disruptive fix is neither planned nor deferred, and
    # the non-disruptive fix is applied as usual
    problem = finding(evaluation, MAINTENANCE_WINDOW)
    assert "apac-nights" in problem.message
    assert not problem.remediable
    assert evaluation.plan.rules == ("login-banner",)
    assert evaluation.deferred.is_empty
    held = finding(evaluation, "session-timeout")
    assert not held.remediable
    assert held.deferred_until is None
    assert held.held_back is not None
    assert "apac-nights" in held.held_back


def test_without_a_default_window_an_untagged_endpoint_is_told_to_get_one() -> None:
    # Given windows with no "default" and an untagged endpoint
    policy = build_policy(
        RULES,
        disruptive_fixes={"when": "in_window", "windows": {"emea-weeknights": WEEKNIGHTS}},
    )

    # When it is evaluated
    evaluation = evaluate(drifted(), policy, FRIDAY_NOON)

    # Then the finding says how to choose a window, and the disruptive fix waits for good
    problem = finding(evaluation, MAINTENANCE_WINDOW)
    assert WINDOW_TAG in problem.message
    assert "emea-weeknights" in problem.message
    assert evaluation.deferred.is_empty
    assert evaluation.plan.rules == ("login-banner",)


def test_when_never_reports_disruptive_findings_and_never_plans_them() -> None:
    # Given a policy that never applies disruptive fixes
    policy = build_policy(RULES, disruptive_fixes={"when": "never"})

    # When the drifted endpoint is evaluated
    evaluation = evaluate(drifted(), policy, SATURDAY_0230_BERLIN)

    # Then the banner is fixed, the session timeout only reported
    assert evaluation.plan.rules == ("login-banner",)
    assert evaluation.deferred.is_empty
    held = finding(evaluation, "session-timeout")
    assert not held.remediable
    assert "disruptive_fixes.when: never" in held.message


def test_a_report_only_run_names_the_window_and_when_it_opens() -> None:
    # Given the window policy in report mode
    # When the drifted endpoint is evaluated outside the window
    evaluation = evaluate(drifted(), in_window(mode="report"), FRIDAY_NOON)

    # Then nothing is planned or deferred, and the finding says which window and when
    assert evaluation.plan.is_empty
    assert evaluation.deferred.is_empty
    held = finding(evaluation, "session-timeout")
    assert held.deferred_until is None
    assert held.held_back is None
    assert "'default'" in held.message
    assert "2026-12-05T02:00:00+01:00" in held.message


def test_always_is_todays_behaviour() -> None:
    # Given a policy without disruptive_fixes
    policy = build_policy(RULES)

    # When the drifted endpoint is evaluated
    evaluation = evaluate(drifted(), policy, FRIDAY_NOON)

    # Then every fix is planned at once
    assert set(evaluation.plan.rules) == {"login-banner", "session-timeout"}
    assert evaluation.deferred.is_empty


@pytest.mark.parametrize(
    ("users", "held"), [(25, False), (26, True), (None, True)], ids=["at", "above", "uncounted"]
)
def test_connected_users_above_the_threshold_or_uncounted_defer_the_fix(
    users: int | None, held: bool
) -> None:
    # Given a threshold of 25 connected users
    fixes = build_policy(RULES, disruptive_fixes={"max_connected_users": 25}).disruptive_fixes

    # When the guard asks with the users it counted (None: the count failed)
    hold = crowd_hold(fixes, users, "DescribeClientVpnConnections: AccessDenied")

    # Then only a count above 25, or no count, holds the fix back (for a later run)
    assert (hold is not None) is held
    if hold is not None:
        assert hold.deferred
        assert hold.until is None
        assert "25" in hold.reason


def test_a_crowd_hold_defers_the_disruptive_fix_and_plans_the_rest() -> None:
    # Given too many users connected (the guard's verdict)
    fixes = build_policy(RULES, disruptive_fixes={"max_connected_users": 5}).disruptive_fixes
    hold = crowd_hold(fixes, 9, None)
    assert hold is not None

    # When the endpoint is evaluated with it
    evaluation = evaluate(drifted(), build_policy(RULES), FRIDAY_NOON, crowd=hold)

    # Then the session timeout waits, without a window start, and says why
    assert evaluation.plan.rules == ("login-banner",)
    assert evaluation.deferred.rules == ("session-timeout",)
    held = finding(evaluation, "session-timeout")
    assert held.deferred_until is None
    assert "9 users are connected" in held.message


def test_ignoring_windows_plans_disruptive_fixes_but_never_overrides_never() -> None:
    # Given the window policy outside its window, and a "never" policy
    # When both are evaluated with ignore_windows
    windowed = evaluate(drifted(), in_window(), FRIDAY_NOON, ignore_windows=True)
    never = evaluate(
        drifted(),
        build_policy(RULES, disruptive_fixes={"when": "never"}),
        FRIDAY_NOON,
        ignore_windows=True,
    )

    # Then the window no longer holds the fix back, "never" still does
    assert set(windowed.plan.rules) == {"login-banner", "session-timeout"}
    assert never.plan.rules == ("login-banner",)


def test_a_fix_held_back_for_good_is_not_remediable_in_report_mode_either() -> None:
    # Given a report-only policy that never applies disruptive fixes
    policy = build_policy(RULES, mode="report", disruptive_fixes={"when": "never"})

    # When the drifted endpoint is evaluated
    evaluation = evaluate(drifted(), policy, FRIDAY_NOON)

    # Then the report does not promise a fix enforce mode would never make
    assert not finding(evaluation, "session-timeout").remediable
    assert finding(evaluation, "login-banner").remediable
