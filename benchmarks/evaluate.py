"""How long evaluate() takes for one endpoint with the full rule set, and loading its item.

Pure CPU in this process: the best of several repeats (the least disturbed by other work).
"""

from __future__ import annotations

from datetime import UTC, datetime

from cvpn_devkit.modify_simulator import apply_plan

from benchmarks.fixtures import AUTHORIZATION_RULES, DESCRIBE_ITEM, full_policy, typical_state
from benchmarks.table import Row
from benchmarks.timing import best_per_call
from cvpn_guard.endpoint import EndpointState
from cvpn_guard.evaluation import evaluate

SECTION = "evaluation per endpoint, full rule set (best of 7 x 2,000 calls)"
TARGET_MICROSECONDS = 50
COMPLIANT = "evaluate, compliant endpoint"


def with_share_of_sweep(rows: list[Row], sweeps: list[Row]) -> list[Row]:
    """``rows`` plus, after the evaluation rows, what share of the largest sweep's time per
    endpoint the evaluation of a compliant endpoint is (both from this run)."""
    rate = [row for row in sweeps if row.name.endswith("endpoints per second")][-1]
    compliant = next(row for row in rows if row.name == COMPLIANT)
    share = Row(
        SECTION,
        f"evaluate, compliant / sweep time per endpoint ({rate.name.split(':')[0]})",
        100 * compliant.value / (1e6 / rate.value),
        "%",
        note="how little of a sweep is evaluation",
    )
    last = max(i for i, row in enumerate(rows) if row.section == SECTION)
    return [*rows[: last + 1], share, *rows[last + 1 :]]


def run() -> list[Row]:
    """Measure evaluate() on a drifted and on a compliant endpoint, and typing the item."""
    policy = full_policy()
    state = typical_state()
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    drifted = evaluate(state, policy, now)
    fixed = state.model_copy(update={"endpoint": apply_plan(state.endpoint, drifted.plan)})
    assert not evaluate(fixed, policy, now).findings, "the benchmark's fixed endpoint must comply"
    absolute = "absolute time on this machine, not paired"
    return [
        Row(
            SECTION,
            f"evaluate, drifted endpoint ({len(drifted.findings)} findings)",
            best_per_call(lambda: evaluate(state, policy, now)),
            "us",
            TARGET_MICROSECONDS,
            note=absolute,
        ),
        Row(
            SECTION,
            COMPLIANT,
            best_per_call(lambda: evaluate(fixed, policy, now)),
            "us",
            TARGET_MICROSECONDS,
            note=absolute,
        ),
        Row(
            SECTION,
            "EndpointState.from_describe (item, 2 rules, default SG)",
            best_per_call(
                lambda: EndpointState.from_describe(
                    DESCRIBE_ITEM, AUTHORIZATION_RULES, ["sg-0123456789abcdef0"]
                )
            ),
            "us",
            note="typing the Describe item, before evaluate",
        ),
    ]
