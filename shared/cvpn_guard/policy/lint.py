"""Mistakes in a valid policy: what it says that will never take effect, or checks nothing.

A valid document can still do nothing its author meant: an exemption past its last day, a tag
exemption the policy switches off, a rule set that checks nothing. These are warnings, not
errors: the enforcer would run the policy as written.
"""

from __future__ import annotations

from datetime import date

from cvpn_guard.exceptions import PolicyProblem
from cvpn_guard.policy.document import Policy


def policy_warnings(policy: Policy, *, today: date) -> list[PolicyProblem]:
    """Every part of ``policy`` that cannot have the effect it reads as having, in document order.

    Parameters
    ----------
    policy : Policy
        A validated policy.
    today : date
        Today in UTC: an exemption applies through its ``expires`` day, as evaluation counts.

    Returns
    -------
    list[PolicyProblem]
        One warning per empty rule set, tag exemption switched off, or expired exemption.
    """
    warnings: list[PolicyProblem] = []
    configured = list(policy.rules.configured())
    if not configured:
        warnings.append(
            PolicyProblem(
                "rules",
                "no rule is configured, so nothing would be checked: add the rules to check "
                "(`cvpn-guard policy show-default` prints the baseline's)",
            )
        )
    elif not policy.rules.active():
        switched_off = ", ".join(config.rule_id for config in configured)
        warnings.append(
            PolicyProblem(
                "rules",
                f"every rule is switched off by its options ({switched_off}), so nothing would "
                "be checked: switch on at least one (e.g. required: true)",
            )
        )
    for index, exemption in enumerate(policy.exemptions):
        if exemption.is_tag_exemption and not policy.allow_tag_exemptions:
            warnings.append(
                PolicyProblem(
                    f"exemptions[{index}].tag",
                    f"the {exemption.describe()} is never honoured: allow_tag_exemptions is "
                    "false; set allow_tag_exemptions: true to honour tag exemptions (anyone who "
                    "can tag an endpoint can then exempt it), or exempt the endpoint by "
                    "endpoint_id",
                )
            )
        if exemption.expires is not None and exemption.is_expired(today):
            warnings.append(
                PolicyProblem(
                    f"exemptions[{index}].expires",
                    f"the {exemption.describe()} expired on {exemption.expires.isoformat()} "
                    f"(its last day; today is {today.isoformat()} UTC) and no longer applies: "
                    "remove it, or set a later expires if the exemption is still needed",
                )
            )
    return warnings
