"""login-banner: the text shown to users when their VPN session starts."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, JsonValue, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import BannerText
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class LoginBannerConfig(RuleConfig):
    fix_options: ClassVar[tuple[str, ...]] = ("text",)
    severity: Severity = Severity.MEDIUM
    required: StrictBool = Field(
        default=True, description="true (a banner must be shown) or false (not checked)"
    )
    text: BannerText | None = Field(
        default=None,
        description=(
            "the exact approved banner text, 1 to 1400 characters, not only blanks (omit: any text)"
        ),
    )

    @property
    def active(self) -> bool:
        return self.required

    def remediation_blocker(self) -> str | None:
        if self.text is None:
            return "AWS turns a banner on only with its text; add text, or remove remediate"
        return None


class LoginBanner(Rule[LoginBannerConfig]):
    """A login banner must be on, with exactly the approved text when the policy gives one.

    - Compliant when `ClientLoginBannerOptions.Enabled` is true and, when `text` is given,
      `BannerText` equals it exactly (no trimming, no case folding: approved text is approved
      word for word).
    - Fix (only with `text`): `ClientLoginBannerOptions: {Enabled: true, BannerText: <text>}`.
      Without `text`, a disabled banner is reported, not remediable: AWS turns a banner on only
      with its text. Not disruptive (shown at the next connection).

    Controls: NIST SP 800-53 Rev. 5: AC-8 (System Use Notification: "Display [system use
    notification message or banner] to users before granting access to the system", 8a; `text`
    is the approved wording) and CM-6 (Configuration Settings: "Monitor and control changes to
    the configuration settings", 6d; this setting is one of them).
    """

    id = "login-banner"
    reads = ("ClientLoginBannerOptions",)
    options = LoginBannerConfig
    order = 30
    controls = (
        Control(Framework.NIST_800_53, "AC-8", "System Use Notification"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = True
    modifies = ("ClientLoginBannerOptions",)
    example = {
        "required": True,
        "text": "Authorized use only. Activity is monitored.",
    }

    @classmethod
    def check(cls, state: EndpointState, options: LoginBannerConfig) -> RuleResult:
        banner = state.endpoint.client_login_banner_options
        enabled = banner.enabled if banner is not None else None
        text = banner.banner_text if banner is not None else None
        # Compared exactly: an approved text is approved word for word.
        if enabled is True and (options.text is None or text == options.text):
            return PASSED
        expected: dict[str, JsonValue] = {"Enabled": True}
        if options.text is not None:
            expected["BannerText"] = options.text
        if enabled is not True:
            message = "The login banner is off; the policy requires one."
        else:
            message = "The login banner text differs from the text the policy approves."
        # AWS turns a banner on only with its text: without one in the policy, report only.
        fix = (
            Fix({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": options.text}})
            if options.text is not None
            else None
        )
        return RuleResult.violated(
            expected=expected,
            actual={"Enabled": enabled, "BannerText": text},
            message=message,
            fix=fix,
        )
