"""The text shown to users when their VPN session starts."""

from __future__ import annotations

from pydantic import JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import LoginBannerConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_login_banner(state: EndpointState, config: LoginBannerConfig) -> RuleResult:
    options = state.endpoint.client_login_banner_options
    enabled = options.enabled if options is not None else None
    text = options.banner_text if options is not None else None
    # Compared exactly: an approved text is approved word for word.
    if enabled is True and (config.text is None or text == config.text):
        return PASSED
    expected: dict[str, JsonValue] = {"Enabled": True}
    if config.text is not None:
        expected["BannerText"] = config.text
    if enabled is not True:
        message = "The login banner is off; the policy requires one."
    else:
        message = "The login banner text differs from the text the policy approves."
    # AWS turns a banner on only with its text: without one in the policy, report only.
    fix = (
        Fix({"ClientLoginBannerOptions": {"Enabled": True, "BannerText": config.text}})
        if config.text is not None
        else None
    )
    return RuleResult.violated(
        expected=expected,
        actual={"Enabled": enabled, "BannerText": text},
        message=message,
        fix=fix,
    )


LOGIN_BANNER = Rule(LoginBannerConfig, check_login_banner)
