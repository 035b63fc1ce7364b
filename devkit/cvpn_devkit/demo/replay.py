"""The sample CloudTrail events of ``events/``, pointed at the demo's endpoints.

Each sample names an endpoint id that does not exist here; the demo rewrites it to the
seeded endpoint whose state matches the story the event tells (the create sample becomes a
freshly created endpoint, a user's modify points at an endpoint drifted that way).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvpn_guard.endpoint import ENDPOINT_ID
from cvpn_guard.intake.wire import plain, unwrap

# Sample file -> the demo endpoint it is about. A sample added later defaults to "sales".
TARGETS: Mapping[str, str] = {
    "create_endpoint_noncompliant.json": "contractors",
    "modify_endpoint_by_enforcer.json": "contractors",
    "modify_endpoint_by_user.json": "sales",
    "modify_endpoint_dry_run.json": "sales",
    "modify_endpoint_by_iam_user.json": "partners",
}
DEFAULT_TARGET = "sales"
ENFORCER_SAMPLE = "modify_endpoint_by_enforcer.json"

# What a reader wants to see of a request, in this order; the rest is plumbing.
_SHOWN_PARAMETERS = (
    "SessionTimeoutHours",
    "DisconnectOnSessionTimeout",
    "ClientLoginBannerOptions",
    "SelfServicePortal",
    "DnsServers",
    "ConnectionLogOptions",
    "Description",
)


@dataclass(frozen=True)
class SampleEvent:
    """One sample, as EventBridge would deliver it."""

    name: str
    event: dict[str, Any]

    @property
    def detail(self) -> dict[str, Any]:
        """The CloudTrail record."""
        detail: dict[str, Any] = self.event.get("detail") or {}
        return detail

    @property
    def event_name(self) -> str:
        """``CreateClientVpnEndpoint`` or ``ModifyClientVpnEndpoint``."""
        return str(self.detail.get("eventName", "?"))

    @property
    def error_code(self) -> str | None:
        """AWS's error code when the call failed (or was a dry run)."""
        code = self.detail.get("errorCode")
        return str(code) if code else None

    @property
    def time(self) -> str:
        """``HH:MM`` of the call (UTC)."""
        stamp = str(self.detail.get("eventTime", ""))
        return stamp[11:16] if len(stamp) >= 16 else stamp

    @property
    def target(self) -> str | None:
        """The demo endpoint this sample is about (None when the call created nothing)."""
        if self.event_name.startswith("Create") and self.error_code:
            return None
        return TARGETS.get(self.name, DEFAULT_TARGET)

    @property
    def creates(self) -> bool:
        """True when the sample records a successful create."""
        return self.event_name.startswith("Create") and not self.error_code

    def pointed_at(self, endpoint_id: str) -> SampleEvent:
        """The same event about ``endpoint_id`` (every mention of the sample's id)."""
        text = ENDPOINT_ID.sub(endpoint_id, json.dumps(self.event))
        return SampleEvent(self.name, json.loads(text))


def load_samples(events_dir: Path) -> list[SampleEvent]:
    """Every ``*.json`` sample, in the order the calls happened."""
    samples = [
        SampleEvent(path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(events_dir.glob("*.json"))
    ]
    return sorted(
        samples, key=lambda sample: (str(sample.detail.get("eventTime", "")), sample.name)
    )


def enforcer_role_arn(samples: list[SampleEvent]) -> str | None:
    """The enforcer's role in the sample of its own call: what LOOP_GUARD_ROLE_ARNS lists."""
    for sample in samples:
        if sample.name == ENFORCER_SAMPLE:
            issuer = ((sample.detail.get("userIdentity") or {}).get("sessionContext") or {}).get(
                "sessionIssuer"
            ) or {}
            arn = issuer.get("arn")
            return str(arn) if arn else None
    return None


def actor(detail: Mapping[str, Any]) -> str:
    """Who made the call, in words: ``jane.doe@example.com (role AWSReserved…)``."""
    identity: Mapping[str, Any] = detail.get("userIdentity") or {}
    arn = str(identity.get("arn", ""))
    if identity.get("type") == "AssumedRole" and "/" in arn:
        _, role, session = arn.split("/", 2)
        return f"{session} (role {role})"
    if identity.get("userName"):
        return f"IAM user {identity['userName']}"
    return arn or "an unknown caller"


def requested(detail: Mapping[str, Any]) -> list[str]:
    """The settings the call asked for, as ``Name=value`` (policy-relevant ones only)."""
    raw = detail.get("requestParameters")
    parameters = unwrap(raw if isinstance(raw, Mapping) else None)
    shown = []
    for name in _SHOWN_PARAMETERS:
        if name in parameters:
            value = plain(parameters[name])
            shown.append(f"{name}={json.dumps(value, ensure_ascii=False)}")
    return shown
