"""What a remediation would do, before it does it: each call with its exact parameters, the
settings it changes (before → after), the users it would disconnect, what it holds back.

Pure: built from an :class:`~cvpn_guard.endpoint_guard.Proposal` (what the guard read and
decided, nothing written). ``cvpn-guard scan --plan`` prints it; ``scan --remediate`` shows it
and asks before applying exactly it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic_core import to_jsonable_python

from cvpn_guard.endpoint_guard import Proposal
from cvpn_guard.findings import EndpointStatus
from cvpn_guard.report import EndpointOwner, ReportChange
from cvpn_guard.rules import all_rules

MODIFY = "ModifyClientVpnEndpoint"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlannedCall(_Frozen):
    """One AWS call the remediation would make, in the order it would make it."""

    operation: str = Field(description="The EC2 API operation (IAM action ec2:<operation>).")
    parameters: dict[str, JsonValue] = Field(description="Exactly what the call would send.")
    changes: tuple[ReportChange, ...] = Field(
        default=(), description="What it changes, as the reads show it now and would after."
    )


class HeldBackFix(_Frozen):
    """A fix the remediation would not apply now (a closed window, too many users)."""

    rule: str
    reason: str
    until: datetime | None = Field(
        default=None, description="When the next maintenance window opens (null: not known)."
    )


class EndpointPlan(_Frozen):
    """Everything a remediation would do to one endpoint now."""

    endpoint_id: str
    name: str | None = Field(default=None, description="The endpoint's Name tag.")
    account: str
    region: str
    status: EndpointStatus = Field(description="The endpoint's status now, before any fix.")
    rules: tuple[str, ...] = Field(default=(), description="The rules the calls fix.")
    calls: tuple[PlannedCall, ...] = ()
    disruptive: bool = False
    disruption_reasons: tuple[str, ...] = ()
    users_affected: int | None = Field(
        default=None, description="Users connected now whom a disruptive call would disconnect."
    )
    users_not_counted: str | None = Field(
        default=None, description="Why the connected users could not be counted."
    )
    held_back: tuple[HeldBackFix, ...] = ()
    owner: EndpointOwner | None = Field(
        default=None,
        description="The code that deploys the endpoint (its stack or owner tag): a fix made "
        "here lasts until its next deployment unless the code is fixed too.",
    )

    @property
    def changes_something(self) -> bool:
        """Whether applying the plan would make any call."""
        return bool(self.calls)


def _json(value: Any) -> JsonValue:
    result: JsonValue = to_jsonable_python(value, fallback=str)
    return result


def _modify_call(proposal: Proposal) -> PlannedCall | None:
    plan = proposal.result.plan
    if not plan.modifies:
        return None
    endpoint_id = proposal.result.evaluation.endpoint_id
    described_as = {
        parameter: field for rule in all_rules() for parameter, field in rule.described_as.items()
    }
    changes = tuple(
        ReportChange(
            field=described_as.get(parameter, parameter),
            before=_json(proposal.item.get(described_as.get(parameter, parameter))),
            after=_json(value),
        )
        for parameter, value in plan.parameters.items()
    )
    parameters: dict[str, JsonValue] = {"ClientVpnEndpointId": endpoint_id}
    parameters.update((key, _json(value)) for key, value in plan.parameters.items())
    return PlannedCall(operation=MODIFY, parameters=parameters, changes=changes)


def _other_calls(proposal: Proposal) -> Iterable[PlannedCall]:
    state = proposal.state
    endpoint_id = proposal.result.evaluation.endpoint_id
    for call in proposal.result.plan.calls:
        before, after = call.shown(state), call.shown(call.show_in_state(state))
        yield PlannedCall(
            operation=call.operation,
            parameters=call.request(endpoint_id),
            changes=(ReportChange(field=call.field, before=before, after=after),),
        )


def endpoint_plan(proposal: Proposal) -> EndpointPlan:
    """The plan of one endpoint: its calls in the order ``enforce`` makes them."""
    result = proposal.result
    report, plan = result.report, result.plan
    modify = _modify_call(proposal)
    calls = ((modify,) if modify else ()) + tuple(_other_calls(proposal))
    held_back = tuple(
        HeldBackFix(rule=f.rule, reason=f.held_back or "", until=f.deferred_until)
        for f in report.findings
        if f.held_back or f.deferred_until
    )
    return EndpointPlan(
        endpoint_id=report.endpoint_id,
        name=report.name,
        account=report.account,
        region=report.region,
        status=report.status,
        rules=plan.rules,
        calls=calls,
        disruptive=plan.disruptive,
        disruption_reasons=plan.disruption_reasons,
        users_affected=report.users_affected,
        users_not_counted=report.users_not_counted,
        held_back=held_back,
        owner=report.owner,
    )
