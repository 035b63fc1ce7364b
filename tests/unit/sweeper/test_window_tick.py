"""The window tick decides, from the policy, the clock and the ledger alone, whether to sweep."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.policy import Policy, Severity
from cvpn_guard.report import (
    ComplianceReport,
    EndpointReport,
    ReportError,
    ReportSource,
    build_report,
)
from cvpn_guard.sweeper.window_tick import tick
from tests.unit.policy.builders import (
    BANNER,
    FRIDAY_NOON,
    SATURDAY_0230_BERLIN,
    WEEKEND_NIGHTS,
    build_policy,
)

SATURDAY_0400_BERLIN = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
NEXT_SATURDAY_0230_BERLIN = datetime(2026, 12, 12, 1, 30, tzinfo=UTC)
RULES = {"login-banner": {"required": True, "text": BANNER}}


def windowed(mode: str = "enforce", **fixes: Any) -> Policy:
    return build_policy(
        RULES,
        mode=mode,
        disruptive_fixes={"when": "in_window", "windows": {"default": WEEKEND_NIGHTS}, **fixes},
    )


class Sweeps:
    """A sweep that records its calls and returns the report it is given (None: fan-out)."""

    def __init__(self, report: ComplianceReport | None) -> None:
        self.report = report
        self.calls = 0

    def __call__(self) -> ComplianceReport | None:
        self.calls += 1
        return self.report


def report_of(*endpoints: EndpointReport, errors: tuple[ReportError, ...] = ()) -> ComplianceReport:
    return build_report(
        policy=windowed(), source=ReportSource(kind="sweeper"), endpoints=endpoints, errors=errors
    )


def waiting_for_fewer_users() -> EndpointReport:
    held = Finding(
        rule="session-timeout",
        severity=Severity.HIGH,
        expected=12,
        actual=24,
        remediable=True,
        disruptive=True,
        held_back="9 users are connected, more than disruptive_fixes.max_connected_users (5)",
    )
    return EndpointReport(
        endpoint_id="cvpn-endpoint-0123456789abcdef0",
        account="123456789012",
        region="eu-west-1",
        status=EndpointStatus.DEFERRED,
        findings=(held,),
    )


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (windowed(mode="report"), "only reports"),
        (build_policy(RULES), "disruptive_fixes.when is always"),
        (build_policy(RULES, disruptive_fixes={"when": "never"}), "disruptive_fixes.when is never"),
        (windowed(), "no maintenance window is open"),
    ],
    ids=["report-mode", "always", "never", "closed"],
)
def test_a_tick_with_nothing_to_do_returns_without_sweeping(policy: Policy, reason: str) -> None:
    # Given a policy under which no deferred fix can be due on Friday at noon
    sweeps = Sweeps(report_of())

    # When the tick comes
    result = tick(policy, FRIDAY_NOON, InMemoryState(), sweeps)

    # Then it says why it is idle and sweeps nothing
    assert result["window_tick"] == "idle"
    assert reason in result["reason"]
    assert sweeps.calls == 0


def test_a_tick_inside_a_window_sweeps_once_per_opening() -> None:
    # Given the window open and a ledger shared by the ticks (the state table)
    ledger = InMemoryState(clock=SATURDAY_0400_BERLIN.timestamp)
    sweeps = Sweeps(report_of())

    # When ticks come at 02:30 and 04:00 of the same opening, then a week later
    first = tick(windowed(), SATURDAY_0230_BERLIN, ledger, sweeps)
    second = tick(windowed(), SATURDAY_0400_BERLIN, ledger, sweeps)

    # Then the first sweeps and settles the opening, the second returns at once
    assert first == {
        "window_tick": "swept",
        "windows": {"default": "2026-12-05T02:00:00+01:00"},
        "settled": True,
    }
    assert second["window_tick"] == "idle"
    assert sweeps.calls == 1
    # And the next opening is swept again (the mark lasts until its opening's end)
    later = InMemoryState(clock=NEXT_SATURDAY_0230_BERLIN.timestamp)
    later.settle_window("default#2026-12-05T02:00:00+01:00", SATURDAY_0400_BERLIN.timestamp())
    assert tick(windowed(), NEXT_SATURDAY_0230_BERLIN, later, sweeps)["window_tick"] == "swept"


@pytest.mark.parametrize(
    "report",
    [
        report_of(waiting_for_fewer_users()),
        report_of(errors=(ReportError(region="eu-west-1", code="Throttling", message="slow"),)),
    ],
    ids=["fewer-users", "region-error"],
)
def test_an_opening_stays_unsettled_while_work_remains(report: ComplianceReport) -> None:
    # Given a sweep that left a fix waiting for fewer users, or a region unswept
    ledger = InMemoryState(clock=SATURDAY_0230_BERLIN.timestamp)
    sweeps = Sweeps(report)

    # When two ticks come inside the window
    tick(windowed(), SATURDAY_0230_BERLIN, ledger, sweeps)
    again = tick(windowed(), SATURDAY_0400_BERLIN, ledger, sweeps)

    # Then both swept: the opening was not settled
    assert again["window_tick"] == "swept"
    assert again["settled"] is False
    assert sweeps.calls == 2


@pytest.mark.parametrize(("limit", "settled"), [(None, True), (5, False)])
def test_an_organization_fan_out_settles_unless_users_may_hold_fixes_back(
    limit: int | None, settled: bool
) -> None:
    # Given organization mode (the sweep only starts the workers: no report here)
    policy = windowed(**({"max_connected_users": limit} if limit is not None else {}))

    # When the tick comes inside the window
    result = tick(policy, SATURDAY_0230_BERLIN, InMemoryState(), Sweeps(None))

    # Then the opening is settled unless a user threshold may defer fixes the workers meet
    assert result["settled"] is settled
