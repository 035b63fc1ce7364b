"""self-service-portal: where users download their client configuration."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class SelfServicePortalConfig(RuleConfig):
    severity: Severity = Severity.MEDIUM
    allowed: StrictBool = Field(
        default=False, description="false (the portal must be off) or true (not checked)"
    )

    @property
    def active(self) -> bool:
        return not self.allowed


class SelfServicePortal(Rule[SelfServicePortalConfig]):
    """The self-service portal must be off (its default at creation is on).

    - Describe has no `SelfServicePortal` field: the portal is on exactly when
      `SelfServicePortalUrl` is present.
    - Fix: `SelfServicePortal: disabled`. Not disruptive (the portal only hands out client
      configurations).

    Controls: NIST SP 800-53 Rev. 5: CM-7 (Least Functionality: "Prohibit or restrict the use
    of the following functions, ports, protocols, software, and/or services", 7b); the portal
    is a service clients need not reach when configurations are distributed otherwise) and CM-6
    (Configuration Settings: "Monitor and control changes to the configuration settings", 6d;
    this setting is one of them).
    """

    id = "self-service-portal"
    reads = ("SelfServicePortalUrl",)
    options = SelfServicePortalConfig
    order = 60
    controls = (
        Control(Framework.NIST_800_53, "CM-7", "Least Functionality"),
        Control(Framework.NIST_800_53, "CM-6", "Configuration Settings"),
    )
    fixable = True
    modifies = ("SelfServicePortal",)
    # Describe has no SelfServicePortal field: the portal is on exactly when it has a URL.
    described_as = {"SelfServicePortal": "SelfServicePortalUrl"}
    example = {"allowed": False}

    @classmethod
    def check(cls, state: EndpointState, options: SelfServicePortalConfig) -> RuleResult:
        url = state.endpoint.self_service_portal_url
        if not url:
            return PASSED
        return RuleResult.violated(
            expected="disabled",
            actual="enabled",
            message=f"The self-service portal is on ({url}); the policy does not allow it.",
            fix=Fix({"SelfServicePortal": "disabled"}),
        )
