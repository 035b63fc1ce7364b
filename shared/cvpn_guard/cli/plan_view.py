"""The plan of a remediation as a person reads it (text) or a tool does (JSON).

Every value that came from AWS or a person is quoted by ``short_json`` in the text, so none
can add a line; the ``parameters`` line is the call's whole JSON, exactly what would be sent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cvpn_guard.planning import EndpointPlan
from cvpn_guard.report import ComplianceReport
from cvpn_guard.report.render import VALUE_LIMIT, could_not_check, owner_label, short_json

PLAN_VERSION = 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def plan_headline(plans: Sequence[EndpointPlan]) -> str:
    """``Plan: 3 calls to 2 endpoints (nothing has been changed)``."""
    changing = [plan for plan in plans if plan.changes_something]
    calls = sum(len(plan.calls) for plan in changing)
    if not changing:
        return "Plan: nothing to change now"
    return f"Plan: {_plural(calls, 'call')} to {_plural(len(changing), 'endpoint')}"


def _endpoint_lines(plan: EndpointPlan) -> list[str]:
    name = f" {short_json(plan.name, VALUE_LIMIT)}" if plan.name is not None else ""
    lines = [f"{plan.endpoint_id}{name} {plan.account}/{plan.region}"]
    if plan.rules:
        lines.append(f"  fixes: {', '.join(plan.rules)}")
    for number, call in enumerate(plan.calls, start=1):
        lines.append(f"  {number}. {call.operation}")
        lines += [
            f"       {change.field}: {short_json(change.before, VALUE_LIMIT)} -> "
            f"{short_json(change.after, VALUE_LIMIT)}"
            for change in call.changes
        ]
        lines.append(f"     parameters: {json.dumps(call.parameters, ensure_ascii=False)}")
    if plan.disruptive:
        if plan.users_affected is not None:
            who = f"{_plural(plan.users_affected, 'user')} connected now"
        else:
            who = f"not counted ({short_json(plan.users_not_counted, VALUE_LIMIT)})"
        lines.append(f"  users affected: {who}")
        lines += [f"    {reason}" for reason in plan.disruption_reasons]
    elif plan.calls:
        lines.append("  users affected: none (nobody is disconnected)")
    for held in plan.held_back:
        until = f" until {held.until.isoformat()}" if held.until else ""
        lines.append(f"  held back: {held.rule}{until}: {short_json(held.reason, VALUE_LIMIT)}")
    if plan.owner is not None and plan.calls:
        # The fix holds only until the code that deploys the endpoint runs again.
        lines.append(f"  deployed by {owner_label(plan.owner)}: fix it there too")
    return lines


def render_plan_text(plans: Sequence[EndpointPlan], report: ComplianceReport) -> str:
    """Each endpoint's calls, then what the plan leaves to a person and what was not checked."""
    lines = [f"{plan_headline(plans)} (nothing has been changed)"]
    for plan in plans:
        lines += ["", *_endpoint_lines(plan)]
    planned = {plan.endpoint_id for plan in plans}
    manual = [
        endpoint
        for endpoint in report.endpoints
        if not endpoint.settled and endpoint.endpoint_id not in planned
    ]
    if manual:
        lines += [
            "",
            f"Not fixed by this plan ({_plural(len(manual), 'endpoint')}, see the report):",
        ]
        lines += [
            f"  {e.endpoint_id} {e.account}/{e.region}: "
            + (", ".join(f.rule for f in e.findings) or "a rule could not be checked")
            for e in manual
        ]
    if report.errors:
        lines += ["", "Could not check (nothing is planned there):", *could_not_check(report)]
    return "\n".join(lines) + "\n"


def render_plan_json(plans: Sequence[EndpointPlan], report: ComplianceReport) -> str:
    """``{"plan_version", "policy", "endpoints": [...], "errors": [...]}``, compact."""
    document = {
        "plan_version": PLAN_VERSION,
        "policy": report.policy.model_dump(mode="json"),
        "endpoints": [plan.model_dump(mode="json") for plan in plans],
        "errors": [error.model_dump(mode="json") for error in report.errors],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
