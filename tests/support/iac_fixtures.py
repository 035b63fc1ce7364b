"""What the IaC fixtures (tests/fixtures/iac/) declare, as their tests expect it."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "iac"

BASELINE_DRIFT = (
    "disconnect-on-session-timeout",
    "session-timeout",
    "login-banner",
    "connection-logging",
    "self-service-portal",
    "authorization",
    "routes",
)
"""The rules of the bundled baseline each fixture's drifted endpoint breaks (the SAM one leaves
DisconnectOnSessionTimeout to its compliant default), in evaluation order."""
