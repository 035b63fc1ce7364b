"""security-groups: the security groups applied to the endpoint's target network."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, StrictBool

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import SecurityGroupId, unique
from cvpn_guard.rules.base import PASSED, Fix, Needs, Rule, RuleConfig, RuleResult

MAX_SECURITY_GROUPS = 5


class SecurityGroupsConfig(RuleConfig):
    fix_options: ClassVar[tuple[str, ...]] = ("replacement_group_ids",)
    severity: Severity = Severity.MEDIUM
    forbid_default: StrictBool = Field(
        default=True,
        description="true (the VPC's default security group is forbidden) or false (not checked)",
    )
    replacement_group_ids: (
        Annotated[
            tuple[SecurityGroupId, ...],
            Field(min_length=1, max_length=MAX_SECURITY_GROUPS),
            AfterValidator(unique),
        ]
        | None
    ) = Field(
        default=None,
        description=(
            "1 to 5 security group ids (sg- and 8 to 17 hex digits) to put in place of the default"
            " one (omit: report only)"
        ),
    )

    @property
    def active(self) -> bool:
        return self.forbid_default

    def remediation_blocker(self) -> str | None:
        if self.replacement_group_ids is None:
            return (
                "there are no security groups to put in place of the default one; add "
                "replacement_group_ids, or remove remediate"
            )
        return None


class SecurityGroups(Rule[SecurityGroupsConfig]):
    """The endpoint must not use its VPC's default security group.

    - A violation when any of `SecurityGroupIds` is the default security group of the
      endpoint's VPC. The AWS adapter looks that group up; when it is **unknown** the rule is
      **not evaluated**: no violation is invented, and the evaluation lists the rule in
      `unevaluated` with the reason, so reports can show the gap.
    - Fix (only with `replacement_group_ids`): `SecurityGroupIds: <replacement>` and
      `VpcId: <the endpoint's VpcId>` (Modify takes the groups only with the VPC). Not planned
      when the endpoint has no `VpcId`, or when a replacement is itself the VPC's default group
      (it would never converge). Security group ids belong to one VPC: use replacements only in
      a policy that governs endpoints of that VPC. Not disruptive for sessions, but it changes
      what clients can reach.

    Controls: NIST SP 800-53 Rev. 5: SC-7 (Boundary Protection: "Monitor and control
    communications at the external managed interfaces to the system", 7a); the endpoint's
    security groups control what clients reach in the VPC, and the default group is shared with
    everything else in it) and AC-4 (Information Flow Enforcement: "Enforce approved
    authorizations for controlling the flow of information within the system and between
    connected systems")).
    """

    id = "security-groups"
    reads = ("SecurityGroupIds", "VpcId")
    options = SecurityGroupsConfig
    order = 140
    controls = (
        Control(Framework.NIST_800_53, "SC-7", "Boundary Protection"),
        Control(Framework.NIST_800_53, "AC-4", "Information Flow Enforcement"),
    )
    fixable = True
    needs = frozenset({Needs.DEFAULT_SECURITY_GROUPS})
    modifies = ("SecurityGroupIds", "VpcId")
    example = {"forbid_default": True, "replacement_group_ids": ["sg-0fedcba9876543210"]}

    @classmethod
    def check(cls, state: EndpointState, options: SecurityGroupsConfig) -> RuleResult:
        defaults = state.default_security_group_ids
        if defaults is None:
            return RuleResult.not_evaluable(
                "the default security group of the endpoint's VPC is unknown"
            )
        groups = state.endpoint.security_group_ids or ()
        offending = [group for group in groups if group in defaults]
        if not offending:
            return PASSED
        return RuleResult.violated(
            expected={"SecurityGroupIds": "no default security group"},
            actual={"SecurityGroupIds": list(groups)},
            message=(
                f"The endpoint uses its VPC's default security group ({', '.join(offending)}); "
                "the policy forbids it."
            ),
            fix=_fix(state, options, defaults),
        )


def _fix(
    state: EndpointState, options: SecurityGroupsConfig, defaults: frozenset[str]
) -> Fix | None:
    replacement = options.replacement_group_ids
    vpc_id = state.endpoint.vpc_id
    # Modify takes SecurityGroupIds only with the VpcId; and a replacement that is itself
    # this VPC's default group would never converge.
    if replacement is None or vpc_id is None or defaults.intersection(replacement):
        return None
    return Fix({"SecurityGroupIds": list(replacement), "VpcId": vpc_id})
