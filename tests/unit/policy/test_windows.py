"""Maintenance windows: when they are open, when they open next, and how a policy spells them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from cvpn_guard.exceptions import PolicyError, PolicyProblem
from cvpn_guard.policy import (
    WINDOW_TAG,
    DisruptiveFixes,
    DisruptiveFixTiming,
    MaintenanceWindow,
    Weekday,
    WindowOpening,
    load_policy,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKEND_NIGHTS = {"days": ["sat", "sun"], "start": "02:00", "end": "05:00"}


def window(**fields: Any) -> MaintenanceWindow:
    """A window: Saturday and Sunday 02:00-05:00 in Europe/Berlin unless told otherwise."""
    return MaintenanceWindow.model_validate(
        {**WEEKEND_NIGHTS, "timezone": "Europe/Berlin", **fields}
    )


def at(text: str) -> datetime:
    """An aware instant from ISO 8601 text with its offset."""
    instant = datetime.fromisoformat(text)
    assert instant.tzinfo is not None
    return instant


def spans(opening: WindowOpening | None) -> tuple[str, str] | None:
    return None if opening is None else (opening.start.isoformat(), opening.end.isoformat())


# ---- open or closed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "open_from"),
    [
        ("2026-12-05T01:59:59+01:00", None),  # a second before the start
        ("2026-12-05T02:00:00+01:00", "2026-12-05T02:00:00+01:00"),  # the start is inside
        ("2026-12-05T04:59:59+01:00", "2026-12-05T02:00:00+01:00"),
        ("2026-12-05T05:00:00+01:00", None),  # the end is outside
        ("2026-12-06T03:00:00+01:00", "2026-12-06T02:00:00+01:00"),  # Sunday too
        ("2026-12-07T03:00:00+01:00", None),  # not on Monday
        ("2026-12-05T01:30:00+00:00", "2026-12-05T02:00:00+01:00"),  # any zone for now
    ],
)
def test_a_window_is_open_from_its_start_inclusive_to_its_end_exclusive(
    now: str, open_from: str | None
) -> None:
    # Given Saturday and Sunday 02:00-05:00 in Berlin (UTC+1 in December)
    weekend = window()
    # When asked at an instant
    opening = weekend.opening_at(at(now))
    # Then it is open exactly in [start, end)
    assert (opening.start.isoformat() if opening else None) == open_from


def test_a_window_crossing_midnight_is_open_after_midnight_on_the_next_day() -> None:
    # Given Friday 22:00 to 02:00 (the end is earlier than the start)
    friday_night = window(days=["fri"], start="22:00", end="02:00")
    assert friday_night.crosses_midnight
    # When asked on Saturday at 01:00 / Then the occurrence that opened on Friday is open
    assert spans(friday_night.opening_at(at("2026-12-05T01:00:00+01:00"))) == (
        "2026-12-04T22:00:00+01:00",
        "2026-12-05T02:00:00+01:00",
    )
    # And it is closed on Saturday at 22:30: Saturday is not one of its days
    assert friday_night.opening_at(at("2026-12-05T22:30:00+01:00")) is None
    # And with Saturday among its days, Saturday night opens its own occurrence
    both = window(days=["fri", "sat"], start="22:00", end="02:00")
    assert spans(both.opening_at(at("2026-12-05T22:30:00+01:00"))) == (
        "2026-12-05T22:00:00+01:00",
        "2026-12-06T02:00:00+01:00",
    )


def test_an_end_of_midnight_closes_the_window_at_the_end_of_its_day() -> None:
    # Given Sunday 22:00 to 00:00
    sunday_late = window(days=["sun"], start="22:00", end="00:00")
    # When asked on Sunday at 23:59 and at midnight
    # Then it is open until midnight, which belongs to Monday
    assert spans(sunday_late.opening_at(at("2026-12-06T23:59:00+01:00"))) == (
        "2026-12-06T22:00:00+01:00",
        "2026-12-07T00:00:00+01:00",
    )
    assert sunday_late.opening_at(at("2026-12-07T00:00:00+01:00")) is None


# ---- the next opening --------------------------------------------------------------------


def test_the_next_opening_is_the_next_start_in_the_windows_offset() -> None:
    # Given the weekend window and a Wednesday
    # When the next opening is asked for
    opening = window().next_opening(at("2026-12-02T12:00:00+00:00"))
    # Then it is Saturday 02:00 in Berlin, written with Berlin's offset that day
    assert spans(opening) == ("2026-12-05T02:00:00+01:00", "2026-12-05T05:00:00+01:00")
    assert opening.start.tzinfo == BERLIN


def test_while_open_the_next_opening_is_the_following_one() -> None:
    # Given the weekend window, open on Saturday at 03:00
    weekend = window()
    now = at("2026-12-05T03:00:00+01:00")
    assert weekend.opening_at(now) is not None
    # When the next opening is asked for / Then it is Sunday's, not the current one
    assert weekend.next_opening(now).start.isoformat() == "2026-12-06T02:00:00+01:00"
    # And at the very start instant, "strictly after" also moves on
    assert weekend.next_opening(at("2026-12-05T02:00:00+01:00")).start.isoformat() == (
        "2026-12-06T02:00:00+01:00"
    )


def test_the_next_opening_crosses_the_week_boundary() -> None:
    # Given a Monday-only window, asked on Monday after it closed
    monday = window(days=["mon"], start="01:00", end="03:00")
    # When the next opening is asked for / Then it is the next Monday, seven days later
    opening = monday.next_opening(at("2026-12-07T04:00:00+01:00"))
    assert opening.start.isoformat() == "2026-12-14T01:00:00+01:00"
    # And from Sunday late, it is the next day (a new week)
    opening = monday.next_opening(at("2026-12-13T23:00:00+01:00"))
    assert opening.start.isoformat() == "2026-12-14T01:00:00+01:00"


def test_a_window_in_utc_carries_offset_zero() -> None:
    # Given a window in UTC (no daylight saving time)
    utc = window(timezone="UTC", days=["tue"], start="23:00", end="01:00")
    # When the next opening is asked for from another zone
    opening = utc.next_opening(at("2026-07-07T12:00:00-07:00"))
    # Then it is written +00:00 and ends on Wednesday
    assert spans(opening) == ("2026-07-07T23:00:00+00:00", "2026-07-08T01:00:00+00:00")


# ---- daylight saving time ----------------------------------------------------------------


def test_on_spring_forward_a_skipped_start_opens_when_the_clock_jumps() -> None:
    # Given Sunday 02:30-05:00 in Berlin; on 2026-03-29 the clock jumps from 02:00 to 03:00
    window_0230 = window(days=["sun"], start="02:30", end="05:00")
    # When the next opening is asked for on the Saturday before
    opening = window_0230.next_opening(at("2026-03-28T12:00:00+01:00"))
    # Then it opens at 03:00 summer time (01:00 UTC), the moment the clock jumps
    assert spans(opening) == ("2026-03-29T03:00:00+02:00", "2026-03-29T05:00:00+02:00")
    assert opening.start.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # And the week after, 02:30 exists again
    assert window_0230.next_opening(opening.start).start.isoformat() == (
        "2026-04-05T02:30:00+02:00"
    )


def test_on_spring_forward_the_window_lasts_what_the_wall_clock_shows() -> None:
    # Given 02:00-05:00 on Sunday 2026-03-29 in Berlin (02:00 does not exist that day)
    opening = window(days=["sun"]).next_opening(at("2026-03-28T12:00:00+00:00"))
    # Then it opens at 03:00 summer time and lasts two hours
    assert spans(opening) == ("2026-03-29T03:00:00+02:00", "2026-03-29T05:00:00+02:00")
    assert opening.end.astimezone(UTC) - opening.start.astimezone(UTC) == timedelta(hours=2)
    # And a second before the jump it is closed, at the jump it is open
    sunday = window(days=["sun"])
    assert sunday.opening_at(at("2026-03-29T00:59:59+00:00")) is None
    assert sunday.opening_at(at("2026-03-29T01:00:00+00:00")) == opening


def test_a_window_entirely_inside_the_skipped_hour_does_not_open_that_day() -> None:
    # Given Sunday 02:10-02:40 in Berlin: on 2026-03-29 both times are skipped
    skipped = window(days=["sun"], start="02:10", end="02:40")
    # When the next opening is asked for that weekend
    opening = skipped.next_opening(at("2026-03-28T12:00:00+00:00"))
    # Then it is the next Sunday's
    assert opening.start.isoformat() == "2026-04-05T02:10:00+02:00"
    assert skipped.opening_at(at("2026-03-29T01:00:00+00:00")) is None


def test_an_end_in_the_skipped_hour_closes_when_the_clock_jumps() -> None:
    # Given Sunday 01:00-02:30 in Berlin
    opening = window(days=["sun"], start="01:00", end="02:30").next_opening(
        at("2026-03-28T12:00:00+00:00")
    )
    # Then on 2026-03-29 it closes at 03:00 summer time, after one real hour
    assert spans(opening) == ("2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00")
    assert opening.end.astimezone(UTC) - opening.start.astimezone(UTC) == timedelta(hours=1)


def test_on_fall_back_a_repeated_wall_time_means_its_first_occurrence() -> None:
    # Given 02:00-05:00 on Sunday 2026-10-25 in Berlin: the clock shows 02:00-03:00 twice
    sunday = window(days=["sun"])
    opening = sunday.next_opening(at("2026-10-24T12:00:00+00:00"))
    # Then it opens at the first 02:00 (summer time, 00:00 UTC) and lasts four real hours
    assert spans(opening) == ("2026-10-25T02:00:00+02:00", "2026-10-25T05:00:00+01:00")
    assert opening.end.astimezone(UTC) - opening.start.astimezone(UTC) == timedelta(hours=4)
    # And it is open during the second 02:30 (winter time) as during the first
    assert sunday.opening_at(at("2026-10-25T02:30:00+02:00")) == opening
    assert sunday.opening_at(at("2026-10-25T02:30:00+01:00")) == opening


def test_on_fall_back_a_window_ending_in_the_repeated_hour_ends_at_its_first_pass() -> None:
    # Given Sunday 01:00-02:30 in Berlin, on 2026-10-25
    opening = window(days=["sun"], start="01:00", end="02:30").next_opening(
        at("2026-10-24T12:00:00+00:00")
    )
    # Then it closes at the first 02:30 (summer time)
    assert spans(opening) == ("2026-10-25T01:00:00+02:00", "2026-10-25T02:30:00+02:00")
    # And the second 02:30 (winter time) is outside it
    assert (
        window(days=["sun"], start="01:00", end="02:30").opening_at(at("2026-10-25T02:30:00+01:00"))
        is None
    )


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        # 2026-03-08: New York skips 02:00-03:00
        ("2026-03-07T12:00:00-05:00", ("2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00")),
        # 2026-11-01: New York shows 01:00-02:00 twice; 01:30 is the first (EDT)
        ("2026-10-31T12:00:00-04:00", ("2026-11-01T01:30:00-04:00", "2026-11-01T04:00:00-05:00")),
        # an ordinary Sunday
        ("2026-06-06T12:00:00-04:00", ("2026-06-07T01:30:00-04:00", "2026-06-07T04:00:00-04:00")),
    ],
)
def test_daylight_saving_time_in_new_york(asked: str, expected: tuple[str, str]) -> None:
    # Given Sunday 01:30-04:00 in New York (02:30 would be skipped in March)
    sunday = window(days=["sun"], start="01:30", end="04:00", timezone="America/New_York")
    spring = window(days=["sun"], start="02:30", end="04:00", timezone="America/New_York")
    # When the next opening is asked for
    opening = (spring if asked.startswith("2026-03") else sunday).next_opening(at(asked))
    # Then its start and end follow New York's clock, with that day's offsets
    assert spans(opening) == expected
    assert opening.start.tzinfo == NEW_YORK


def test_a_window_crossing_midnight_into_a_dst_change() -> None:
    # Given Saturday 23:00 to 04:00 in Berlin, on the night the clock springs forward
    night = window(days=["sat"], start="23:00", end="04:00")
    opening = night.next_opening(at("2026-03-28T12:00:00+00:00"))
    # Then it lasts four real hours (23:00 CET to 04:00 CEST)
    assert spans(opening) == ("2026-03-28T23:00:00+01:00", "2026-03-29T04:00:00+02:00")
    assert opening.end.astimezone(UTC) - opening.start.astimezone(UTC) == timedelta(hours=4)


def test_naive_instants_are_refused() -> None:
    # Given a window / When asked with a naive datetime / Then it refuses to guess the zone
    weekend = window()
    with pytest.raises(ValueError, match="naive"):
        weekend.opening_at(datetime(2026, 12, 5, 3))
    with pytest.raises(ValueError, match="naive"):
        weekend.next_opening(datetime(2026, 12, 5, 3))
    with pytest.raises(ValueError, match="naive"):
        WindowOpening(at("2026-12-05T02:00:00+01:00"), at("2026-12-05T05:00:00+01:00")).contains(
            datetime(2026, 12, 5, 3)
        )


# ---- properties --------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC"]
CLOCKS = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 30]))
# Around the DST changes of 2026 as well as anywhere in the years around them.
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)


@given(st.data())
def test_the_next_opening_starts_later_and_is_open_from_its_start(data: st.DataObject) -> None:
    # Given any window and any instant
    start, end = data.draw(CLOCKS), data.draw(CLOCKS)
    assume(start != end)
    any_window = MaintenanceWindow(
        days=data.draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, unique=True)),
        start=start,
        end=end,
        timezone=data.draw(st.sampled_from(ZONES)),
    )
    now = data.draw(INSTANTS)
    # When the next opening is asked for
    following = any_window.next_opening(now)
    # Then it starts after now, within eight days, and is open exactly from its start (in UTC:
    # two datetimes of one zone compare and subtract by wall clock)
    start_utc, end_utc = following.start.astimezone(UTC), following.end.astimezone(UTC)
    assert now < start_utc <= now + timedelta(days=8)
    assert start_utc < end_utc <= start_utc + timedelta(hours=25)
    assert any_window.opening_at(following.start) == following
    assert any_window.opening_at(following.end) != following
    # And whatever is open now ends no later than the next one starts
    current = any_window.opening_at(now)
    if current is not None:
        assert current.contains(now)
        assert current.end.astimezone(UTC) <= start_utc
        assert any_window.next_opening(current.start - timedelta(seconds=1)) == current
    # And the window opens only on its days (the local date of the start)
    assert Weekday.of(following.start.date()) in any_window.days


# ---- which window an endpoint uses -------------------------------------------------------


def fixes(**fields: Any) -> DisruptiveFixes:
    return DisruptiveFixes.model_validate(fields)


def test_an_untagged_endpoint_uses_the_default_window() -> None:
    # Given windows default and emea-weeknights
    policy = fixes(
        when="in_window",
        windows={
            "default": {**WEEKEND_NIGHTS, "timezone": "Europe/Berlin"},
            "emea-weeknights": {
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "start": "22:00",
                "end": "23:30",
                "timezone": "Europe/London",
            },
        },
    )
    # When an endpoint without the tag asks / Then it gets "default"
    assert policy.window_for({"owner": "net"}) == ("default", policy.windows["default"])
    # And a tagged endpoint gets the window its tag names
    assert policy.window_for({WINDOW_TAG: "emea-weeknights"}) == (
        "emea-weeknights",
        policy.windows["emea-weeknights"],
    )


def test_a_tag_naming_an_undefined_window_gets_none() -> None:
    # Given only a default window
    policy = fixes(when="in_window", windows={"default": {**WEEKEND_NIGHTS, "timezone": "UTC"}})
    # When an endpoint names another one (exactly: tag values are case-sensitive)
    # Then the name comes back with no window, for the caller to report
    assert policy.window_for({WINDOW_TAG: "apac"}) == ("apac", None)
    assert policy.window_for({WINDOW_TAG: "Default"}) == ("Default", None)
    # And without a default window, an untagged endpoint has none either
    only_named = fixes(when="in_window", windows={"apac": {**WEEKEND_NIGHTS, "timezone": "UTC"}})
    assert only_named.window_for({}) == ("default", None)


# ---- the document ------------------------------------------------------------------------

ISSUE_EXAMPLE = """
version: 1
mode: enforce
rules: {session-timeout: {max_hours: 12}}
disruptive_fixes:
  when: in_window
  max_connected_users: 25
  windows:
    default: {days: [sat, sun], start: "02:00", end: "05:00", timezone: Europe/Berlin}
    emea-weeknights: {days: [mon, tue, wed, thu, fri], start: "22:00", end: "23:30", timezone: Europe/London}
"""


def test_the_issues_example_loads() -> None:
    # Given the document of issue 19 / When it is loaded
    policy = load_policy(ISSUE_EXAMPLE)
    # Then every key is read as written
    disruptive = policy.disruptive_fixes
    assert disruptive.when is DisruptiveFixTiming.IN_WINDOW
    assert disruptive.max_connected_users == 25
    assert set(disruptive.windows) == {"default", "emea-weeknights"}
    weeknights = disruptive.windows["emea-weeknights"]
    assert weeknights.days == (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)
    assert (weeknights.start, weeknights.end, weeknights.timezone) == (
        "22:00",
        "23:30",
        "Europe/London",
    )
    # And the policy stays hashable, like every frozen policy model
    assert hash(policy) == hash(load_policy(ISSUE_EXAMPLE))


def test_without_the_key_disruptive_fixes_are_applied_always() -> None:
    policy = load_policy("version: 1\nrules: {}")
    assert policy.disruptive_fixes == DisruptiveFixes()
    assert policy.disruptive_fixes.when is DisruptiveFixTiming.ALWAYS
    assert policy.disruptive_fixes.max_connected_users is None
    assert policy.disruptive_fixes.windows == {}


def test_a_policy_without_windows_keeps_its_identity_hash() -> None:
    # Given a policy written before disruptive_fixes existed
    plain = load_policy("version: 1\nrules: {vpn-port: {allowed: [443]}}")
    assert "disruptive_fixes" not in plain.model_dump(mode="json", by_alias=True)
    # When the same policy writes the defaults out
    explicit = load_policy(
        "version: 1\nrules: {vpn-port: {allowed: [443]}}\n"
        "disruptive_fixes: {when: always, windows: {}}"
    )
    # Then both share the identity, the one reports carried before the key existed
    # (computed at dfcb6bb, the commit before disruptive_fixes)
    assert explicit.identity == plain.identity
    assert plain.identity.content_hash == (
        "sha256:82e63d94b849d473040ef1041d5cf149bfca692b2b72b5559cf68305d069d781"
    )


def test_windows_change_the_identity_and_survive_a_round_trip() -> None:
    # Given a policy with windows / When dumped as JSON and loaded again
    policy = load_policy(ISSUE_EXAMPLE)
    again = load_policy(policy.model_dump_json(by_alias=True))
    # Then it is the same policy, with the same identity, unlike the policy without them
    assert again == policy
    assert again.identity == policy.identity
    assert (
        policy.identity
        != load_policy(ISSUE_EXAMPLE.split("disruptive_fixes", maxsplit=1)[0]).identity
    )


def test_the_order_of_days_does_not_matter() -> None:
    # Given the same window with its days in two orders
    one = window(days=["sun", "sat"])
    other = window(days=["sat", "sun"])
    # Then they are the same window (days in week order)
    assert one == other
    assert one.days == (Weekday.SAT, Weekday.SUN)


def test_windows_may_be_written_before_they_are_switched_on() -> None:
    # Given windows under when: always and when: never / Then both documents are valid
    for when in ("always", "never"):
        policy = fixes(when=when, windows={"default": {**WEEKEND_NIGHTS, "timezone": "UTC"}})
        assert policy.window_for({})[1] is not None


def problems_of(disruptive_fixes: Any) -> tuple[PolicyProblem, ...]:
    text = yaml.safe_dump({"version": 1, "rules": {}, "disruptive_fixes": disruptive_fixes})
    with pytest.raises(PolicyError) as raised:
        load_policy(text, source="org.yaml")
    return raised.value.problems


def with_window(**fields: Any) -> dict[str, Any]:
    return {"windows": {"default": {**WEEKEND_NIGHTS, "timezone": "Europe/Berlin", **fields}}}


WINDOW = "disruptive_fixes.windows.default"
# (case, disruptive_fixes, key path, words the message must contain)
INVALID: list[tuple[str, Any, str, tuple[str, ...]]] = [
    (
        "when-typo",
        {"when": "inwindow"},
        "disruptive_fixes.when",
        ("'inwindow' is not allowed", "did you mean 'in_window'?", "'always', 'in_window' or"),
    ),
    (
        "when-case",
        {"when": "In_Window", "windows": {}},
        "disruptive_fixes.when",
        ("did you mean 'in_window'?",),
    ),
    (
        "unknown-key",
        {"wndows": {}},
        "disruptive_fixes.wndows",
        ("unknown key 'wndows'", "did you mean 'windows'?", "when, max_connected_users, windows"),
    ),
    (
        "not-a-mapping",
        "in_window",
        "disruptive_fixes",
        ("must be a mapping", "when, max_connected_users, windows"),
    ),
    (
        "in-window-without-windows",
        {"when": "in_window"},
        "disruptive_fixes.windows",
        ("when: in_window needs at least one window", "default: {days: [sat, sun]"),
    ),
    (
        "in-window-empty-windows",
        {"when": "in_window", "windows": {}},
        "disruptive_fixes.windows",
        ("needs at least one window",),
    ),
    (
        "negative-users",
        {"max_connected_users": -1},
        "disruptive_fixes.max_connected_users",
        ("-1 is too small", "at least 0"),
    ),
    (
        "users-bool",
        {"max_connected_users": True},
        "disruptive_fixes.max_connected_users",
        ("must be a whole number, got true",),
    ),
    (
        "users-float",
        {"max_connected_users": 2.5},
        "disruptive_fixes.max_connected_users",
        ("must be a whole number", "2.5"),
    ),
    (
        "window-name",
        {"windows": {"EMEA nights": {**WEEKEND_NIGHTS, "timezone": "UTC"}}},
        "disruptive_fixes.windows.EMEA nights",
        ("'EMEA nights' is not a window name", "lowercase letters, digits, '-' or '_'", "64"),
    ),
    (
        "window-name-too-long",
        {"windows": {"w" * 65: {**WEEKEND_NIGHTS, "timezone": "UTC"}}},
        f"disruptive_fixes.windows.{'w' * 65}",
        ("is not a window name", "1 to 64"),
    ),
    (
        "window-name-number",
        {"windows": {7: {**WEEKEND_NIGHTS, "timezone": "UTC"}}},
        "disruptive_fixes.windows[7]",
        ("7 is not a window name", 'in quotes ("7")'),
    ),
    (
        "window-not-mapping",
        {"windows": {"default": "weekends"}},
        WINDOW,
        ("must be a mapping",),
    ),
    (
        "day-full-name",
        with_window(days=["saturday"]),
        f"{WINDOW}.days[0]",
        ("'saturday' is not a day", "did you mean 'sat'?", "mon, tue, wed, thu, fri, sat, sun"),
    ),
    ("day-capitalized", with_window(days=["Sun"]), f"{WINDOW}.days[0]", ("did you mean 'sun'?",)),
    ("day-number", with_window(days=[6]), f"{WINDOW}.days[0]", ("6 is not a day",)),
    ("days-empty", with_window(days=[]), f"{WINDOW}.days", ("must not be empty",)),
    ("days-twice", with_window(days=["sat", "sat"]), f"{WINDOW}.days", ("'sat' more than once",)),
    ("days-text", with_window(days="sat"), f"{WINDOW}.days", ("must be a list",)),
    (
        "time-unpadded",
        with_window(start="2:00"),
        f"{WINDOW}.start",
        ("'2:00' is not a time", 'did you mean "02:00"?', "HH:MM"),
    ),
    (
        "time-hours",
        with_window(end="25:00"),
        f"{WINDOW}.end",
        ("'25:00'", "hours go from 00 to 23"),
    ),
    ("time-minutes", with_window(end="05:60"), f"{WINDOW}.end", ("minutes go from 00 to 59",)),
    (
        "time-24",
        with_window(end="24:00"),
        f"{WINDOW}.end",
        ("'24:00' is not accepted", '"00:00" for midnight'),
    ),
    ("time-seconds", with_window(start="02:00:00"), f"{WINDOW}.start", ("is not a time", "HH:MM")),
    (
        "time-missing",
        {"windows": {"default": {"days": ["sat"], "end": "05:00", "timezone": "UTC"}}},
        f"{WINDOW}.start",
        ("is required but missing", "HH:MM"),
    ),
    (
        "start-equals-end",
        with_window(start="05:00"),
        f"{WINDOW}.end",
        ("open and close at 05:00", "end must differ from start"),
    ),
    (
        "zone-typo",
        with_window(timezone="Europe/Berln"),
        f"{WINDOW}.timezone",
        ("'Europe/Berln' is not an IANA time zone", "did you mean 'Europe/Berlin'?"),
    ),
    (
        "zone-city",
        with_window(timezone="New York"),
        f"{WINDOW}.timezone",
        ("did you mean 'America/New_York'?",),
    ),
    (
        "zone-case",
        with_window(timezone="europe/london"),
        f"{WINDOW}.timezone",
        ("did you mean 'Europe/London'?",),
    ),
    (
        "zone-local",
        with_window(timezone="localtime"),
        f"{WINDOW}.timezone",
        ("is not an IANA time zone",),
    ),
    (
        "zone-posix",
        with_window(timezone="posix/Europe/Berlin"),
        f"{WINDOW}.timezone",
        ("is not an IANA time zone",),
    ),
    (
        "zone-path",
        with_window(timezone="/etc/localtime"),
        f"{WINDOW}.timezone",
        ("is not an IANA time zone",),
    ),
    ("zone-number", with_window(timezone=1), f"{WINDOW}.timezone", ("1 is not a time zone",)),
]


@pytest.mark.parametrize(
    ("document", "path", "words"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_disruptive_fixes_name_the_key_and_what_to_write(
    document: Any, path: str, words: tuple[str, ...]
) -> None:
    # Given disruptive_fixes with one mistake / When the policy is loaded
    problems = problems_of(document)
    # Then one problem names its key path and says what is wrong and what to write
    assert [p.path for p in problems] == [path], problems
    for word in words:
        assert word in problems[0].message, problems[0].message
    assert "Input should" not in problems[0].message
    assert "Value error" not in problems[0].message


def test_an_unknown_key_in_a_window_gets_a_did_you_mean() -> None:
    # Given a window that misspells timezone
    problems = problems_of({"windows": {"default": {**WEEKEND_NIGHTS, "timzone": "UTC"}}})
    # Then the missing key and the unknown one are both reported, the unknown one with a hint
    assert {p.path: p.message for p in problems}[f"{WINDOW}.timzone"] == (
        "unknown key 'timzone'; did you mean 'timezone'? allowed keys: days, start, end, timezone"
    )
    assert f"{WINDOW}.timezone" in {p.path for p in problems}


def test_an_unquoted_time_in_yaml_says_to_quote_it() -> None:
    # Given YAML that writes 22:00 without quotes (YAML 1.1 reads it as 1320, base 60)
    text = (
        "version: 1\nrules: {}\ndisruptive_fixes:\n  windows:\n    default: "
        "{days: [fri], start: 22:00, end: '05:00', timezone: UTC}\n"
    )
    with pytest.raises(PolicyError) as raised:
        load_policy(text)
    # Then the problem says what happened and how to write it
    (problem,) = raised.value.problems
    assert problem.path == f"{WINDOW}.start"
    assert "YAML reads an unquoted 22:00 as a base-60 number" in problem.message
    assert 'put the time in quotes: "22:00"' in problem.message
    # And unquoted 02:00 (not a base-60 number for YAML) is read as the text it is
    loaded = load_policy(text.replace("start: 22:00", "start: 02:00"))
    assert loaded.disruptive_fixes.windows["default"].start == "02:00"
