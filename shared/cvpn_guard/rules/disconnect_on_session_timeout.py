"""disconnect-on-session-timeout: sessions end when SessionTimeoutHours runs out."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class DisconnectOnSessionTimeoutConfig(RuleConfig):
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True, description="true (sessions must end at the timeout) or false (not checked)"
    )

    @property
    def active(self) -> bool:
        return self.required


class DisconnectOnSessionTimeout(Rule[DisconnectOnSessionTimeoutConfig]):
    """DisconnectOnSessionTimeout must be true: a session ends when its timeout runs out.

    Sessions end when `SessionTimeoutHours` runs out (users reconnect and authenticate again)
    instead of reconnecting silently.

    - Compliant when `DisconnectOnSessionTimeout` is `true`; `false` or missing is a violation.
    - Fix: `DisconnectOnSessionTimeout: true`. **Disruptive**: applies to open sessions; those
      past the timeout are disconnected.

    Controls: NIST SP 800-53 Rev. 5: AC-12 (Session Termination: "Automatically terminate a
    user session after [organization-defined conditions or trigger events]"; here, the end of
    `SessionTimeoutHours`), SC-10 (Network Disconnect: "Terminate the network connection
    associated with a communications session at the end of the session"; without this setting
    the client reconnects silently) and CM-6 (Configuration Settings: "Monitor and control
    changes to the configuration settings", 6d; this setting is one of them).
    """

    id = "disconnect-on-session-timeout"
    reads = ("DisconnectOnSessionTimeout",)
    options = DisconnectOnSessionTimeoutConfig
    order = 10
    controls = (
        Control(Framework.NIST_800_53, "AC-12", "Session Termination"),
        Control(Framework.NIST_800_53, "SC-10", "Network Disconnect"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = True
    disruptive = True
    modifies = ("DisconnectOnSessionTimeout",)
    example = {"required": True}

    @classmethod
    def check(cls, state: EndpointState, options: DisconnectOnSessionTimeoutConfig) -> RuleResult:
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
                    "turning on disconnect-on-session-timeout applies to open sessions: those "
                    "past the session timeout are disconnected"
                ),
            ),
        )
