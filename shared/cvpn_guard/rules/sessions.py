"""How long a VPN session lasts and what happens when it runs out."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import DisconnectOnSessionTimeoutConfig, SessionTimeoutConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult

AWS_DEFAULT_SESSION_TIMEOUT_HOURS = 24
"""What AWS applies when an endpoint reports no SessionTimeoutHours."""


def check_disconnect_on_session_timeout(
    state: EndpointState, config: DisconnectOnSessionTimeoutConfig
) -> RuleResult:
    actual = state.endpoint.disconnect_on_session_timeout
    # Absent is not "true": endpoints created before the field existed (or read with an
    # older SDK) may well carry false, which is what this rule exists to catch.
    if actual is True:
        return PASSED
    shown = "false" if actual is False else "not reported"
    return RuleResult.violated(
        expected=True,
        actual=actual,
        message=(
            f"DisconnectOnSessionTimeout is {shown}; the policy requires sessions to be "
            "disconnected when the session timeout runs out."
        ),
        fix=Fix(
            {"DisconnectOnSessionTimeout": True},
            disruption=(
                "turning on disconnect-on-session-timeout applies to open sessions: those past "
                "the session timeout are disconnected"
            ),
        ),
    )


def check_session_timeout(state: EndpointState, config: SessionTimeoutConfig) -> RuleResult:
    reported = state.endpoint.session_timeout_hours
    hours = AWS_DEFAULT_SESSION_TIMEOUT_HOURS if reported is None else reported
    if hours <= config.max_hours:
        return PASSED
    target = config.target_hours
    shown = f"{hours} hours" + (" (AWS's default: not reported)" if reported is None else "")
    return RuleResult.violated(
        expected=config.max_hours,
        actual=hours,
        message=f"SessionTimeoutHours is {shown}; the policy allows at most {config.max_hours}.",
        fix=Fix(
            {"SessionTimeoutHours": target},
            disruption=(
                f"lowering the session timeout from {hours} to {target} hours disconnects "
                f"sessions older than {target} hours"
            ),
        ),
    )


DISCONNECT_ON_SESSION_TIMEOUT = Rule(
    DisconnectOnSessionTimeoutConfig, check_disconnect_on_session_timeout
)
SESSION_TIMEOUT = Rule(SessionTimeoutConfig, check_session_timeout)
