"""One ModifyClientVpnEndpoint call (and the calls Modify cannot replace) that fix what the
policy lets cvpn-guard fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict

from cvpn_guard.endpoint_calls import EndpointCall
from cvpn_guard.rules.base import Fix


class RemediationPlan(BaseModel):
    """The minimal ModifyClientVpnEndpoint parameters that fix the remediable findings, and
    the other calls for what Modify cannot change.

    Attributes
    ----------
    parameters : dict[str, Any]
        Modify's keyword arguments without ``ClientVpnEndpointId``: only what must change,
        nested structures complete as the API needs them.
    calls : tuple[EndpointCall, ...]
        Calls made after the Modify, in rule order (revoke a grant, delete a route, enforce
        the device posture policy). Empty for every fix that Modify alone makes.
    rules : tuple[str, ...]
        The rules the plan fixes.
    disruptive : bool
        Whether applying it drops or resets user sessions.
    disruption_reasons : tuple[str, ...]
        What it does to users, one sentence per disruptive change.
    """

    model_config = ConfigDict(frozen=True)

    parameters: dict[str, Any] = {}
    calls: tuple[EndpointCall, ...] = ()
    rules: tuple[str, ...] = ()
    disruptive: bool = False
    disruption_reasons: tuple[str, ...] = ()

    @classmethod
    def from_fixes(cls, fixes: Iterable[tuple[str, Fix]]) -> RemediationPlan:
        """Merge the fixes of several rules into one call.

        Parameters
        ----------
        fixes : Iterable[tuple[str, Fix]]
            ``(rule id, fix)`` pairs, in evaluation order. The plan takes over the fixes'
            parameter values (rules build fresh ones for every check): no copy is made.

        Returns
        -------
        RemediationPlan
            The merged plan (empty when there are no fixes).

        Raises
        ------
        ValueError
            Two rules want different values for the same parameter (a programming error:
            every rule owns its own parameters).
        """
        parameters: dict[str, Any] = {}
        calls: list[EndpointCall] = []
        rules: list[str] = []
        reasons: list[str] = []
        for rule_id, fix in fixes:
            for key, value in fix.parameters.items():
                if key in parameters and parameters[key] != value:
                    raise ValueError(f"rules disagree on {key}: {parameters[key]!r} != {value!r}")
                parameters[key] = value
            calls.extend(call for call in fix.calls if call not in calls)
            rules.append(rule_id)
            if fix.disruption is not None and fix.disruption not in reasons:
                reasons.append(fix.disruption)
        if not parameters and not calls:
            return EMPTY_PLAN
        return cls(
            parameters=parameters,
            calls=tuple(calls),
            rules=tuple(rules),
            disruptive=bool(reasons),
            disruption_reasons=tuple(reasons),
        )

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to change."""
        return not self.parameters and not self.calls

    @property
    def modifies(self) -> bool:
        """Whether the plan needs a ModifyClientVpnEndpoint call (not only other calls)."""
        return bool(self.parameters)


EMPTY_PLAN = RemediationPlan()
"""The plan that changes nothing."""
