"""authorization: what clients may reach, by authorization rule."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, JsonValue, StrictBool

from cvpn_guard.endpoint import AuthorizationRule, EndpointState, code_of
from cvpn_guard.endpoint_calls import RevokeAccessAll
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Fix, Needs, Rule, RuleConfig, RuleResult

_REVOKING = "revoking"


class AuthorizationConfig(RuleConfig):
    # Revoking access is never a default: a forgotten group rule would lock users out.
    fix_switches: ClassVar[tuple[str, ...]] = ("revoke_access_all",)
    severity: Severity = Severity.HIGH
    forbid_access_all: StrictBool = Field(
        default=True,
        description="true (no authorization rule may allow all clients) or false (not checked)",
    )
    revoke_access_all: StrictBool = Field(
        default=False,
        description=(
            "true: revoke the access-all rules in enforce mode (disruptive); false: only report"
        ),
    )

    @property
    def active(self) -> bool:
        return self.forbid_access_all

    def remediation_blocker(self) -> str | None:
        if not self.revoke_access_all:
            return (
                "cvpn-guard revokes authorization rules only when told to; add "
                "revoke_access_all: true, or remove remediate"
            )
        return None


class Authorization(Rule[AuthorizationConfig]):
    """No authorization rule may grant every client access (AccessAll): access goes by group.

    Like AWS Config's `ec2-client-vpn-not-authorize-all`.

    - A violation when any authorization rule not in `revoking` status has `AccessAll: true`
      (access must be granted by group). The finding lists the offending rules.
    - **Report only by default**: cvpn-guard revokes access only when the policy says
      `revoke_access_all: true` (then `remediate` defaults to true); `remediate: true` without
      it is rejected.
    - Fix: `RevokeClientVpnIngress` with `TargetNetworkCidr` and `RevokeAllGroups: true` for each
      CIDR an access-all rule grants, after the Modify (if any); the authorization rules are then
      read again to verify (a rule in `revoking` counts as gone). `RevokeAllGroups` removes only
      the rule that authorized all groups; rules granting the same CIDR to an `AccessGroupId`
      stay (EC2 API Reference, RevokeClientVpnIngress). **Disruptive**: clients lose access to
      that CIDR unless a group rule grants it to them; add the group rules first.

    Controls: NIST SP 800-53 Rev. 5: AC-3 (Access Enforcement: "Enforce approved authorizations
    for logical access to information and system resources") and AC-6 (Least Privilege:
    "allowing only authorized accesses for users ... that are necessary"; an access-all rule
    grants every authenticated client). PCI DSS v4.0 requirement 1.3.1 ("Inbound traffic to the
    CDE is restricted ... to only traffic that is necessary"): AWS Config's conformance pack
    "Operational Best Practices for PCI DSS 4.0" deploys `ec2-client-vpn-not-authorize-all`
    (resource `EC2ClientVPNnotAuthorizeAll` of
    Operational-Best-Practices-for-PCI-DSS-v4.0-including-global-resourcetypes.yaml in
    awslabs/aws-config-rules), mapped to 1.3.1 in the pack's requirement table (AWS
    Prescriptive Guidance, "Verify operational best practices for PCI DSS 4.0 by using AWS
    Config").
    """

    id = "authorization"
    reads = ()
    options = AuthorizationConfig
    order = 130
    controls = (
        Control(Framework.NIST_800_53, "AC-3", "Access Enforcement"),
        Control(Framework.NIST_800_53, "AC-6", "Least Privilege"),
        Control(Framework.PCI_DSS, "1.3.1", "Inbound traffic to the CDE is restricted"),
    )
    fixable = True
    disruptive = True
    needs = frozenset({Needs.AUTHORIZATION_RULES})
    example = {"forbid_access_all": True, "revoke_access_all": True}

    @classmethod
    def check(cls, state: EndpointState, options: AuthorizationConfig) -> RuleResult:
        # A rule being revoked is on its way out; every other status may grant access.
        offending = [
            rule
            for rule in state.authorization_rules
            if rule.access_all is True and code_of(rule.status) != _REVOKING
        ]
        if not offending:
            return PASSED
        actual: list[JsonValue] = [
            {
                "DestinationCidr": rule.destination_cidr,
                "AccessAll": True,
                "Description": rule.description,
                "Status": code_of(rule.status),
            }
            for rule in offending
        ]
        destinations = ", ".join(str(rule.destination_cidr) for rule in offending)
        return RuleResult.violated(
            expected=[],
            actual=actual,
            message=(
                f"{len(offending)} authorization rule(s) grant every client access (to "
                f"{destinations}); the policy requires access by group."
            ),
            fix=_fix(offending),  # planned only when remediate (needs revoke_access_all)
        )


def _fix(offending: list[AuthorizationRule]) -> Fix:
    # RevokeAllGroups revokes the access-all rule of a CIDR and nothing else: rules granting
    # the same CIDR to a group stay, so users of those groups keep their access.
    cidrs = tuple(dict.fromkeys(str(rule.destination_cidr) for rule in offending))
    return Fix(
        {},
        disruption=(
            f"clients lose access to {', '.join(cidrs)} unless an authorization rule grants it "
            "to one of their groups"
        ),
        calls=tuple(RevokeAccessAll(target_network_cidr=cidr) for cidr in cidrs),
    )
