"""The security groups applied to the endpoint's target network."""

from __future__ import annotations

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import SecurityGroupsConfig
from cvpn_guard.rules.base import PASSED, Fix, Rule, RuleResult


def check_security_groups(state: EndpointState, config: SecurityGroupsConfig) -> RuleResult:
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
        fix=_fix(state, config, defaults),
    )


def _fix(
    state: EndpointState, config: SecurityGroupsConfig, defaults: frozenset[str]
) -> Fix | None:
    replacement = config.replacement_group_ids
    vpc_id = state.endpoint.vpc_id
    # Modify takes SecurityGroupIds only with the VpcId; and a replacement that is itself
    # this VPC's default group would never converge.
    if replacement is None or vpc_id is None or defaults.intersection(replacement):
        return None
    return Fix({"SecurityGroupIds": list(replacement), "VpcId": vpc_id})


SECURITY_GROUPS = Rule(SecurityGroupsConfig, check_security_groups)
