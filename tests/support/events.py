"""Load the sample events of ``events/`` (the same files ``sam local invoke -e`` uses)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cvpn_guard.intake import LoopGuard

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"

# The endpoint ids written in the samples; tests point them at endpoints they created.
SAMPLE_ENDPOINT_IDS = ("cvpn-endpoint-0d2c4e6f8a0b1c3d5", "cvpn-endpoint-0a1b2c3d4e5f60718")

ENFORCER_ROLE_ARN = "arn:aws:iam::123456789012:role/cvpn-guard-EnforcerFunctionRole-1A2B3C4D5E6F"
SWEEPER_ROLE_ARN = "arn:aws:iam::123456789012:role/cvpn-guard-SweeperRole-6F5E4D3C2B1A"
ENFORCER_FUNCTION_NAME = "cvpn-guard-enforcer"
ENFORCER_FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cvpn-guard-enforcer"

# Samples of successful changes by someone other than cvpn-guard: the enforcer's work. Every
# other sample is a failed call, a dry run or our own change.
CREATE_SAMPLE = "create_endpoint_noncompliant"
TAG_CALL_SAMPLES = ("create_tags_on_two_endpoints", "delete_tags")
REQUEST_SAMPLES = (  # the endpoint id is in the request, wrapped in one <Op>Request key
    "modify_endpoint_by_user",
    "modify_endpoint_by_iam_user",
    "authorize_ingress_for_all_groups",
    "revoke_ingress",
    "associate_target_network",
    "disassociate_target_network",
    "apply_security_groups",
    "create_route",
    "delete_route",
    "import_revocation_list",
    "modify_authorization_policy",
    "delete_authorization_policy",
)
WORK_SAMPLES = frozenset({CREATE_SAMPLE, *REQUEST_SAMPLES, *TAG_CALL_SAMPLES})

# The enforcer's loop guard as deployed: what the intake tests classify samples with.
GUARD = LoopGuard(
    function_name=ENFORCER_FUNCTION_NAME,
    function_arn=ENFORCER_FUNCTION_ARN,
    role_arns=frozenset({ENFORCER_ROLE_ARN}),
)


def load_event(
    name: str,
    endpoint_id: str | None = None,
    *,
    event_id: str | None = None,
    endpoint_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """The sample ``events/<name>.json``, optionally about ``endpoint_id`` and with a new eventID.

    ``endpoint_ids`` points each sample id at its own endpoint instead (in the order of
    ``SAMPLE_ENDPOINT_IDS``), for the samples that name two endpoints.
    """
    text = (EVENTS_DIR / f"{name}.json").read_text()
    targets = endpoint_ids or ([endpoint_id] * len(SAMPLE_ENDPOINT_IDS) if endpoint_id else [])
    for sample_id, target in zip(SAMPLE_ENDPOINT_IDS, targets, strict=False):
        text = text.replace(sample_id, target)
    event: dict[str, Any] = json.loads(text)
    if event_id:
        event["detail"]["eventID"] = event_id
    return event


def sample_names() -> list[str]:
    """Every sample event's name."""
    return sorted(path.stem for path in EVENTS_DIR.glob("*.json"))


def load_scheduled_event() -> dict[str, Any]:
    """The sweeper's EventBridge schedule event (``events/sweeper/``: not a CloudTrail sample)."""
    event: dict[str, Any] = json.loads((EVENTS_DIR / "sweeper" / "scheduled.json").read_text())
    return event
