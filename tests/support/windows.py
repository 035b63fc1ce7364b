"""What the maintenance-window tests build: a window placed around the real now, and an
endpoint with one fix that disconnects nobody and one that is disruptive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.estate import compliant_overrides

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def daily_window(opens_in: timedelta, lasts: timedelta = timedelta(hours=1)) -> dict[str, Any]:
    """A daily UTC window opening ``opens_in`` from now (negative: open now), for tests that
    run the functions or the CLI at the real time."""
    start = datetime.now(UTC) + opens_in
    return {
        "days": EVERY_DAY,
        "start": f"{start:%H:%M}",
        "end": f"{start + lasts:%H:%M}",
        "timezone": "UTC",
    }


def banner_off_long_sessions() -> dict[str, Any]:
    """CreateClientVpnEndpoint settings breaking two rules: the banner is off (its fix
    disconnects nobody) and sessions last 24 hours (its fix is disruptive)."""
    return {
        **compliant_overrides(),
        "ClientLoginBannerOptions": {"Enabled": False},
        "SessionTimeoutHours": 24,
    }
