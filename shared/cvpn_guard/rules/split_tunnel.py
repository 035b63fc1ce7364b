"""split-tunnel: which traffic goes through the tunnel."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleConfig, RuleResult


class SplitTunnelConfig(RuleConfig):
    severity: Severity = Severity.MEDIUM
    # No default: which way is right depends on the org, the policy must say it.
    required: StrictBool = Field(
        description=(
            "true (split-tunnel must be on) or false (it must be off: full tunnel); the policy "
            "must choose"
        )
    )


class SplitTunnel(Rule[SplitTunnelConfig]):
    """Split-tunnel must be on or off (full tunnel), as the policy chooses.

    - Compliant when `SplitTunnel` (false when missing) equals `required`.
    - Fix: `SplitTunnel: <required>`. Not disruptive: AWS pushes routes to a client when it
      connects, and does not document a reset of open connections when the setting changes
      (this is our reading of the AWS documentation; open sessions keep their routes until they
      reconnect).

    Controls: NIST SP 800-53 Rev. 5: SC-7(7) (Boundary Protection | Split Tunneling for Remote
    Devices: "Prevent split tunneling for remote devices connecting to organizational systems
    unless the split tunnel is securely provisioned using [organization-defined safeguards]";
    `required: false` is the full tunnel it asks for, `required: true` the documented
    exception) and AC-17 (Remote Access: "Establish and document usage restrictions,
    configuration/connection requirements, and implementation guidance for each type of remote
    access allowed", 17a).
    """

    id = "split-tunnel"
    reads = ("SplitTunnel",)
    options = SplitTunnelConfig
    order = 50
    controls = (
        Control(Framework.NIST_800_53, "SC-7(7)", "Split Tunneling for Remote Devices"),
        Control(Framework.NIST_800_53, "AC-17", "Remote Access"),
    )
    fixable = True
    modifies = ("SplitTunnel",)
    example = {"required": True}

    @classmethod
    def check(cls, state: EndpointState, options: SplitTunnelConfig) -> RuleResult:
        reported = state.endpoint.split_tunnel
        actual = reported is True  # AWS's default is off (full tunnel)
        if actual == options.required:
            return PASSED
        wanted = "on" if options.required else "off (full tunnel)"
        return RuleResult.violated(
            expected=options.required,
            actual=reported,
            message=(
                f"Split-tunnel is {'on' if actual else 'off'}; the policy requires it {wanted}."
            ),
            # Routes reach a client when it connects, so the change touches new connections.
            fix=Fix({"SplitTunnel": options.required}),
        )
