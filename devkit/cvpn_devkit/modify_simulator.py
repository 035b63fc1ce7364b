"""What Describe shows after AWS applies a plan's ModifyClientVpnEndpoint call (a test double).

Property tests and benchmarks use it to check that a plan really fixes what it claims without
an emulator round trip. Modify and Describe spell some parameters differently; each rule says
how Describe shows the parameters its fix sends (``Rule.show_in_describe``), and each other call
says how the reads show it once made (``EndpointCall.show_in_state``), so a new rule needs
nothing here.
"""

from __future__ import annotations

import copy
from typing import Any

from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.remediation import RemediationPlan
from cvpn_guard.rules import Rule, all_rules


def apply_plan(endpoint: ClientVpnEndpoint, plan: RemediationPlan) -> ClientVpnEndpoint:
    """The endpoint as Describe would return it once the plan's Modify call has succeeded.

    Fields the plan does not mention, including ones the model does not know, are kept.
    """
    if plan.is_empty:
        return endpoint
    owners = _parameter_owners()
    item = endpoint.to_describe()
    for parameter, value in plan.parameters.items():
        owner = owners.get(parameter)
        if owner is None:
            item[parameter] = copy.deepcopy(value)
        else:
            owner.show_in_describe(item, parameter, value)
    return ClientVpnEndpoint.from_describe(item)


def _parameter_owners() -> dict[str, type[Rule[Any]]]:
    return {parameter: rule for rule in all_rules() for parameter in rule.modifies}


def apply_to_state(state: EndpointState, plan: RemediationPlan) -> EndpointState:
    """The whole state once the plan's Modify and its other calls have succeeded."""
    after = state.model_copy(update={"endpoint": apply_plan(state.endpoint, plan)})
    for call in plan.calls:
        after = call.show_in_state(after)
    return after
