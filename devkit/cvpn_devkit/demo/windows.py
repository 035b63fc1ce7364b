"""The demo's maintenance windows: one open for the whole run, one closed whatever the day.

The demo runs at any time of any day, so neither window can be a fixed time: the open one is
placed around "now", and the closed one is weekend nights unless the demo runs on (or just
before) one, then weeknights. Both are judged by the product's own window model, so the demo
and cvpn-guard agree on what "open" means, daylight saving time included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cvpn_guard.policy import MaintenanceWindow

ZONE = "Europe/Berlin"
"""A real IANA zone rather than UTC: the wall times and offsets read as an operator writes them."""
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# An open window spans "now" by this much on each side: the demo lasts well under a minute,
# and a day on which the clock falls back still leaves an hour after "now".
OPEN_BEFORE = timedelta(hours=1)
OPEN_AFTER = timedelta(hours=2)
# A closed window must stay closed for at least this long: the whole demo, with room to spare.
CLOSED_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class DemoWindow:
    """A maintenance window as the demo's policy writes it (docs/policy.md's fields)."""

    days: tuple[str, ...]
    start: str
    end: str
    timezone: str = ZONE

    def yaml(self) -> str:
        """The window as a YAML flow mapping, times quoted (YAML reads 22:00 as a number)."""
        return (
            f'{{days: [{", ".join(self.days)}], start: "{self.start}", end: "{self.end}", '
            f"timezone: {self.timezone}}}"
        )

    def model(self) -> MaintenanceWindow:
        """The product's model of this window (validated as a policy's window is)."""
        return MaintenanceWindow.model_validate(
            {"days": self.days, "start": self.start, "end": self.end, "timezone": self.timezone}
        )


CLOSED_CANDIDATES: tuple[tuple[str, DemoWindow], ...] = (
    ("weekend-nights", DemoWindow(("sat", "sun"), "02:00", "05:00")),
    # Opens on other days than the first, so at least one of the two is closed at any time.
    ("weeknights", DemoWindow(("mon", "tue", "wed", "thu", "fri"), "02:00", "05:00")),
)


def open_around(now: datetime, zone: str = ZONE) -> DemoWindow:
    """A daily window from an hour before ``now`` to two hours after, in ``zone``'s wall time."""
    tz = ZoneInfo(zone)
    start = (now - OPEN_BEFORE).astimezone(tz)
    end = (now + OPEN_AFTER).astimezone(tz)
    return DemoWindow(EVERY_DAY, f"{start:%H:%M}", f"{end:%H:%M}", zone)


def stays_closed(window: DemoWindow, now: datetime, closed_for: timedelta = CLOSED_FOR) -> bool:
    """Whether ``window`` is closed at ``now`` and does not open within ``closed_for``."""
    model = window.model()
    return model.opening_at(now) is None and model.next_opening(now).start > now + closed_for


def closed_window(now: datetime) -> tuple[str, DemoWindow]:
    """The first candidate (name, window) that stays closed from ``now`` for the whole demo."""
    for name, window in CLOSED_CANDIDATES:
        if stays_closed(window, now):
            return name, window
    raise AssertionError(f"no candidate window stays closed at {now.isoformat()}")
