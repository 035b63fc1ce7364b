"""Maintenance windows: when the fixes that disrupt users may be applied (``disruptive_fixes``).

A window is a weekly wall-clock interval in an IANA time zone: it opens on each of its
``days`` at ``start`` and closes at ``end`` (on the next day when ``end`` is earlier than
``start``). Pure time logic: no AWS, no I/O but the time zone database :mod:`zoneinfo` reads
(the system's, else the ``tzdata`` package the Lambda layer ships).

Wall times are resolved to instants once, then every comparison is made in UTC: two aware
datetimes that share a ``tzinfo`` compare by wall time and ignore ``fold``, which is wrong in
the hour a clock repeats.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    model_validator,
)

from cvpn_guard.policy_terms.enums import DisruptiveFixTiming, Weekday
from cvpn_guard.policy_terms.key_errors import key_error

__all__ = [
    "DEFAULT_WINDOW",
    "WINDOW_TAG",
    "DisruptiveFixTiming",
    "DisruptiveFixes",
    "MaintenanceWindow",
    "Weekday",
    "WindowOpening",
]

WINDOW_TAG = "cvpn-guard:maintenance-window"
"""The endpoint tag whose value names the window the endpoint uses instead of ``default``."""
DEFAULT_WINDOW = "default"
"""The window of an endpoint without the tag."""

_CLOCK = re.compile(r"(\d{2}):(\d{2})")
_WINDOW_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")
# Names zoneinfo finds in some system databases only (not in the tzdata package Lambda gets),
# or that mean something else than a region's civil time: refused so that a policy valid on a
# laptop is valid in Lambda and means the same there.
_NOT_PORTABLE_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_PORTABLE_PREFIXES = ("posix/", "right/")
_DAYS = ", ".join(Weekday)
_DAY_VALUES = frozenset(str(day) for day in Weekday)
_MINUTES_PER_DAY = 24 * 60


# ---- values of the document --------------------------------------------------------------


def _wall_clock(value: Any) -> Any:
    """``"HH:MM"`` on the 24-hour clock, zero-padded; the message says how to write it."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _MINUTES_PER_DAY:
        # YAML 1.1 reads an unquoted 22:00 as the base-60 number 1320.
        written = f"{value // 60:02d}:{value % 60:02d}"
        raise ValueError(
            f"got the number {value}: YAML reads an unquoted {written} as a base-60 number; "
            f'put the time in quotes: "{written}"'
        )
    if not isinstance(value, str):
        raise ValueError(f'{_shown(value)} is not a time; write "HH:MM" (24-hour), e.g. "02:00"')
    match = _CLOCK.fullmatch(value)
    if match is None:
        padded = f"0{value}" if _CLOCK.fullmatch(f"0{value}") else None
        hint = f'did you mean "{padded}"? ' if padded else ""
        raise ValueError(
            f'{value!r} is not a time; {hint}write "HH:MM" on the 24-hour clock, zero-padded, '
            'e.g. "02:00" or "22:30"'
        )
    hours, minutes = int(match[1]), int(match[2])
    if value == "24:00":
        raise ValueError(
            "'24:00' is not accepted; write \"00:00\" for midnight (an end earlier than the "
            "start is on the next day)"
        )
    if hours > 23:
        raise ValueError(f"{value!r} is not a time of day: hours go from 00 to 23")
    if minutes > 59:
        raise ValueError(f"{value!r} is not a time of day: minutes go from 00 to 59")
    return value


def _weekday(value: Any) -> Any:
    if isinstance(value, str) and value in _DAY_VALUES:
        return value
    hint = ""
    if isinstance(value, str):
        # "saturday", "Sat", "SAT": the first three letters name the day.
        prefix = value.strip().lower()[:3]
        close = [prefix] if prefix in _DAY_VALUES else []
        close = close or difflib.get_close_matches(value.lower(), sorted(_DAY_VALUES), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"{_shown(value)} is not a day; {hint}write one of {_DAYS}")


def _unique_days_in_week_order(days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
    seen: set[Weekday] = set()
    for day in days:
        if day in seen:
            raise ValueError(f"lists {str(day)!r} more than once; list each day once")
        seen.add(day)
    # [sun, sat] and [sat, sun] are the same window: one normalized form, one identity hash.
    week = list(Weekday)
    return tuple(sorted(days, key=week.index))


def _time_zone(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(
            f"{_shown(value)} is not a time zone; write an IANA name, e.g. Europe/Berlin or UTC"
        )
    if (
        value in _NOT_PORTABLE_ZONES
        or value.startswith(_NOT_PORTABLE_PREFIXES)
        or not _ZONE_NAME.fullmatch(value)
    ):
        raise ValueError(_unknown_zone(value))
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(_unknown_zone(value)) from None
    return value


def _unknown_zone(value: str) -> str:
    # Only on an error: listing the database reads every zone file (a tenth of a second).
    zones = {
        zone
        for zone in zoneinfo.available_timezones()
        if zone not in _NOT_PORTABLE_ZONES and not zone.startswith(_NOT_PORTABLE_PREFIXES)
    }
    if not zones:
        return (
            f"{value!r} cannot be checked: this Python has no time zone database (neither "
            "/usr/share/zoneinfo nor the tzdata package); install tzdata"
        )
    by_lower = {zone.lower(): zone for zone in zones}
    wanted = value.strip().lower().replace(" ", "_")
    close = [by_lower[wanted]] if wanted in by_lower else []
    # "Berlin", "new york": the city alone names its zone.
    close = close or sorted(zone for zone in zones if zone.lower().rsplit("/", 1)[-1] == wanted)
    close = close or [by_lower[m] for m in difflib.get_close_matches(wanted, by_lower, n=1)]
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"{value!r} is not an IANA time zone; {hint}write a name of the tz database, "
        "e.g. Europe/Berlin, America/New_York or UTC"
    )


def _window_name(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(
            f"{_shown(value)} is not a window name; write it as text, in quotes "
            f'("{value}"), as the endpoints\' {WINDOW_TAG} tag does'
        )
    if not _WINDOW_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a window name; write 1 to 64 lowercase letters, digits, '-' or "
            f"'_', starting with a letter or a digit (endpoints name it in their {WINDOW_TAG} "
            "tag)"
        )
    return value


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


WallClock = Annotated[str, BeforeValidator(_wall_clock)]
"""A wall-clock time ``"HH:MM"``, 00:00 to 23:59 (midnight as an end is ``"00:00"``)."""
Day = Annotated[Weekday, BeforeValidator(_weekday)]
TimeZoneName = Annotated[str, BeforeValidator(_time_zone)]
"""An IANA time zone name that :class:`zoneinfo.ZoneInfo` finds (``UTC`` included)."""
WindowName = Annotated[str, BeforeValidator(_window_name)]
"""A window's name, as the endpoints' tag writes it."""


# ---- occurrences --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowOpening:
    """One occurrence of a window: open from ``start`` (inclusive) to ``end`` (exclusive).

    Both are aware datetimes in the window's time zone, so ``isoformat()`` carries the
    window's UTC offset on that day (``2026-12-05T02:00:00+01:00``).
    """

    start: datetime
    end: datetime

    def contains(self, instant: datetime) -> bool:
        """Whether the window is open at ``instant`` (an aware datetime)."""
        moment = _utc(instant)
        return self.start.astimezone(UTC) <= moment < self.end.astimezone(UTC)


# ---- the policy's models ------------------------------------------------------------------


class MaintenanceWindow(BaseModel):
    """A weekly window in which disruptive fixes may be applied.

    Attributes
    ----------
    days : tuple[Weekday, ...]
        The days on which the window **opens** (a window crossing midnight closes on the next
        day), in week order.
    start, end : str
        Wall-clock times ``"HH:MM"`` in ``timezone``. ``end`` earlier than ``start`` crosses
        midnight; ``end`` equal to ``start`` is refused; ``"24:00"`` is refused (write
        ``"00:00"``).
    timezone : str
        An IANA time zone name (``Europe/Berlin``, ``UTC``).

    Notes
    -----
    Daylight saving time: a wall time the clock skips (02:30 on a day that jumps from 02:00
    to 03:00) is the moment the clock jumps (03:00); a wall time the clock shows twice (on the
    day it falls back) is its first occurrence. The window's length on those days follows
    the wall clock (02:00-05:00 lasts two hours when the clock springs forward, four when it
    falls back). A window whose start and end both fall in one skipped interval does not open
    that day.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: Annotated[
        tuple[Day, ...], Field(min_length=1), AfterValidator(_unique_days_in_week_order)
    ] = Field(description=f"a non-empty list of the days the window opens on: {_DAYS}")
    start: WallClock = Field(description='the time the window opens, "HH:MM" (24-hour)')
    end: WallClock = Field(
        description='the time the window closes, "HH:MM" (24-hour); earlier than start: '
        "the next day"
    )
    timezone: TimeZoneName = Field(
        description="an IANA time zone name, e.g. Europe/Berlin, America/New_York or UTC"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise key_error(
                "end",
                f"the window would open and close at {self.start}; end must differ from "
                "start (an end earlier than the start closes the window on the next day)",
            )
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The window's time zone (zoneinfo caches it: constructing it again is cheap)."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window closes on the day after it opens."""
        return self.end < self.start  # "HH:MM" strings sort like the times they write

    def opening_at(self, now: datetime) -> WindowOpening | None:
        """The occurrence of the window open at ``now``, or None when it is closed.

        Parameters
        ----------
        now : datetime
            An aware datetime (any time zone).

        Returns
        -------
        WindowOpening | None
            The occurrence with ``start <= now < end``.

        Raises
        ------
        ValueError
            ``now`` is naive.
        """
        instant = _utc(now)
        today = instant.astimezone(self.zone).date()
        # An occurrence lasts less than a day of wall clock: only one that opened today or
        # yesterday (local) can still be open.
        for day in (today - timedelta(days=1), today):
            opening = self._opening_on(day)
            if opening is not None and opening.contains(instant):
                return opening
        return None

    def next_opening(self, now: datetime) -> WindowOpening:
        """The first occurrence of the window that opens strictly after ``now``.

        While the window is open this is the following occurrence, not the current one
        (use :meth:`opening_at` for that): its ``start`` is when fixes deferred now can run.

        Parameters
        ----------
        now : datetime
            An aware datetime (any time zone).

        Returns
        -------
        WindowOpening
            Within the next eight days (a window opens at least once a week).

        Raises
        ------
        ValueError
            ``now`` is naive.
        """
        instant = _utc(now)
        today = instant.astimezone(self.zone).date()
        # From yesterday: a start skipped by the clock can move past local midnight.
        for offset in range(-1, 9):
            opening = self._opening_on(today + timedelta(days=offset))
            if opening is not None and opening.start.astimezone(UTC) > instant:
                return opening
        raise AssertionError(f"{self!r} has no opening within eight days of {now}")

    def _opening_on(self, day: date) -> WindowOpening | None:
        """The occurrence that opens on local date ``day``, if the window opens that day."""
        if Weekday.of(day) not in self.days:
            return None
        zone = self.zone
        closing_day = day + timedelta(days=1) if self.crosses_midnight else day
        start = _instant(datetime.combine(day, time.fromisoformat(self.start)), zone)
        end = _instant(datetime.combine(closing_day, time.fromisoformat(self.end)), zone)
        if end <= start:
            return None  # start and end in one skipped interval: nothing opens that day
        return WindowOpening(start.astimezone(zone), end.astimezone(zone))


class DisruptiveFixes(BaseModel):
    """When the fixes that disrupt users are applied (the rules marked disruptive).

    Attributes
    ----------
    when : DisruptiveFixTiming
        ``always`` (the default: as soon as found), ``in_window`` (only while the endpoint's
        window is open) or ``never`` (reported, never applied).
    max_connected_users : int | None
        Defer a disruptive fix while more users than this are connected (or while they
        cannot be counted). None: no limit.
    windows : dict[str, MaintenanceWindow]
        Windows by name. An endpoint uses the one its ``cvpn-guard:maintenance-window`` tag
        names, else ``default``. Required (at least one) with ``when: in_window``; allowed
        with the other values, so windows can be written before they are switched on.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: DisruptiveFixTiming = Field(
        default=DisruptiveFixTiming.ALWAYS,
        description="always, in_window (only while the endpoint's maintenance window is open) "
        "or never",
    )
    max_connected_users: Annotated[StrictInt, Field(ge=0)] | None = Field(
        default=None,
        description="a whole number, 0 or more: disruptive fixes wait while more users are "
        "connected (omit: no limit)",
    )
    windows: dict[WindowName, MaintenanceWindow] = Field(
        default_factory=dict,
        description="a mapping of window name to {days, start, end, timezone}",
    )

    @model_validator(mode="after")
    def _windows_for_in_window(self) -> Self:
        if self.when is DisruptiveFixTiming.IN_WINDOW and not self.windows:
            raise key_error(
                "windows",
                "when: in_window needs at least one window, e.g. default: {days: [sat, sun], "
                'start: "02:00", end: "05:00", timezone: Europe/Berlin}',
            )
        return self

    def __hash__(self) -> int:
        # Frozen like every policy model (a Policy is hashable), though ``windows`` is a dict.
        return hash((self.when, self.max_connected_users, tuple(sorted(self.windows.items()))))

    def window_for(self, tags: Mapping[str, str]) -> tuple[str, MaintenanceWindow | None]:
        """The window an endpoint with these tags uses.

        Parameters
        ----------
        tags : Mapping[str, str]
            The endpoint's tags.

        Returns
        -------
        tuple[str, MaintenanceWindow | None]
            The window's name (the value of the endpoint's ``cvpn-guard:maintenance-window``
            tag, else ``default``) and the window, or None when the policy defines no window
            of that name (a finding: disruptive fixes are held back).
        """
        name = tags.get(WINDOW_TAG, DEFAULT_WINDOW)
        return name, self.windows.get(name)


# ---- time helpers -------------------------------------------------------------------------


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant!r} is naive: give an aware datetime (e.g. tzinfo=UTC)")
    return instant.astimezone(UTC)


def _instant(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant a zone's clock shows naive ``wall`` (the first, if twice; see below).

    ``fold=0`` picks the first of a repeated wall time. A wall time the clock skips has no
    instant: it is moved to the moment the clock jumps, as the clock itself moves past it.
    """
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # Skipped. Before the jump the clock shows less than ``wall``, from the jump on more:
    # bisect (whole seconds, as the tz database counts) between the instants the offsets
    # before and after the jump give.
    low, high = sorted((first, wall.replace(tzinfo=zone, fold=1).astimezone(UTC)))
    earliest, latest = int(low.timestamp()), int(high.timestamp())
    while earliest < latest:
        middle = (earliest + latest) // 2
        shown = datetime.fromtimestamp(middle, zone).replace(tzinfo=None)
        if shown > wall:
            latest = middle
        else:
            earliest = middle + 1
    return datetime.fromtimestamp(latest, UTC)
