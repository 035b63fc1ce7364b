"""session-timeout: a VPN session lasts at most N hours."""

from __future__ import annotations

from pydantic import Field, StrictInt

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult

SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
"""The values AWS accepts for ``SessionTimeoutHours``."""
AWS_DEFAULT_SESSION_TIMEOUT_HOURS = 24
"""What AWS applies when an endpoint reports no SessionTimeoutHours."""


class SessionTimeoutConfig(RuleConfig):
    severity: Severity = Severity.MEDIUM
    max_hours: StrictInt = Field(
        ge=SESSION_TIMEOUT_HOURS[0],
        description="a whole number of hours, 8 or more (AWS's session timeouts are 8, 10, 12, 24)",
    )

    @property
    def target_hours(self) -> int:
        """The largest session timeout AWS accepts that the policy allows."""
        for hours in reversed(SESSION_TIMEOUT_HOURS):  # max_hours >= 8: always found
            if hours <= self.max_hours:
                return hours
        raise AssertionError("max_hours is validated to be at least 8")


class SessionTimeout(Rule[SessionTimeoutConfig]):
    """SessionTimeoutHours must be at most max_hours (AWS's default, 24, counts when absent).

    - Compliant when `SessionTimeoutHours` (24 when missing) is at most `max_hours`. A
      `max_hours` above 24 accepts every endpoint.
    - Fix: the largest value AWS accepts (8, 10, 12, 24) that is not above `max_hours`
      (`max_hours: 9` sets 8). **Disruptive**: lowering the timeout disconnects sessions older
      than the new value.

    Controls: NIST SP 800-53 Rev. 5: AC-12 (Session Termination: "Automatically terminate a
    user session after [organization-defined conditions or trigger events]"; `max_hours` is
    that condition, enforced with `disconnect-on-session-timeout`) and CM-6 (Configuration
    Settings: "Monitor and control changes to the configuration settings", 6d; this setting is
    one of them).
    """

    id = "session-timeout"
    reads = ("SessionTimeoutHours",)
    options = SessionTimeoutConfig
    order = 20
    controls = (
        Control(Framework.NIST_800_53, "AC-12", "Session Termination"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = True
    disruptive = True
    modifies = ("SessionTimeoutHours",)
    example = {"max_hours": 12}

    @classmethod
    def check(cls, state: EndpointState, options: SessionTimeoutConfig) -> RuleResult:
        reported = state.endpoint.session_timeout_hours
        hours = AWS_DEFAULT_SESSION_TIMEOUT_HOURS if reported is None else reported
        if hours <= options.max_hours:
            return PASSED
        target = options.target_hours
        shown = f"{hours} hours" + (" (AWS's default: not reported)" if reported is None else "")
        return RuleResult.violated(
            expected=options.max_hours,
            actual=hours,
            message=(
                f"SessionTimeoutHours is {shown}; the policy allows at most {options.max_hours}."
            ),
            fix=Fix(
                {"SessionTimeoutHours": target},
                disruption=(
                    f"lowering the session timeout from {hours} to {target} hours disconnects "
                    f"sessions older than {target} hours"
                ),
            ),
        )
