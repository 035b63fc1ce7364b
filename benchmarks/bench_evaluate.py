"""How long evaluate() takes for one endpoint, and how long typing its Describe item takes.

Run with ``python -m benchmarks`` (or ``make bench``). Figures, not assertions.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cvpn_devkit.modify_simulator import apply_plan

from benchmarks.fixtures import AUTHORIZATION_RULES, DESCRIBE_ITEM, full_policy, typical_state
from benchmarks.timing import Figure, best_per_call
from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.evaluation import evaluate
from cvpn_guard.policy import default_policy


def run() -> list[Figure]:
    """Measure evaluate() with the full policy (drifted and compliant endpoint) and loading."""
    policy = full_policy()
    state = typical_state()
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    drifted = evaluate(state, policy, now)
    fixed = state.model_copy(update={"endpoint": apply_plan(state.endpoint, drifted.plan)})
    assert not evaluate(fixed, policy, now).findings, "the benchmark's fixed endpoint must comply"
    baseline = default_policy()
    return [
        best_per_call(
            f"evaluate: full policy, drifted endpoint ({len(drifted.findings)} findings)",
            lambda: evaluate(state, policy, now),
        ),
        best_per_call(
            "evaluate: full policy, compliant endpoint",
            lambda: evaluate(fixed, policy, now),
        ),
        best_per_call(
            "evaluate: default policy, drifted endpoint",
            lambda: evaluate(state, baseline, now),
        ),
        best_per_call(
            "load: ClientVpnEndpoint.from_describe(item)",
            lambda: ClientVpnEndpoint.from_describe(DESCRIBE_ITEM),
        ),
        best_per_call(
            "load: EndpointState.from_describe(item, 2 auth rules, default SG)",
            lambda: EndpointState.from_describe(
                DESCRIBE_ITEM, AUTHORIZATION_RULES, ["sg-0123456789abcdef0"]
            ),
        ),
        best_per_call(
            "apply_plan: simulate the drifted endpoint's Modify",
            lambda: apply_plan(state.endpoint, drifted.plan),
        ),
    ]
