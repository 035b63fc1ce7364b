"""The compliance report: one schema for the enforcer's notices, the sweeper and the CLI.

The JSON Schema in ``schemas/compliance-report.schema.json`` is generated from these models
(``python -m cvpn_guard.report``) and a test keeps the two identical, so subscribers can
validate what they receive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic_core import PydanticSerializationError

from cvpn_guard.findings import EndpointStatus, ExemptedFinding, Finding, worst_severity
from cvpn_guard.policy import Policy

SCHEMA_ID = "https://cvpn-guard.dev/schemas/compliance-report/v1.json"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportExemption(_Frozen):
    """A broken rule that an exemption in the policy excuses."""

    rule: str
    reason: str
    expires: date | None = None

    @classmethod
    def of(cls, exempted: ExemptedFinding) -> ReportExemption:
        """The report form of an exempted finding."""
        return cls(
            rule=exempted.finding.rule, reason=exempted.exemption_reason, expires=exempted.expires
        )


class ReportChange(_Frozen):
    """One setting cvpn-guard changed, as DescribeClientVpnEndpoints shows it."""

    field: str
    before: JsonValue
    after: JsonValue


class EndpointReport(_Frozen):
    """The verdict on one endpoint."""

    endpoint_id: str
    account: str
    region: str
    status: EndpointStatus
    findings: tuple[Finding, ...] = ()
    exempted: tuple[ReportExemption, ...] = ()
    changes: tuple[ReportChange, ...] = ()
    fixed_rules: tuple[str, ...] = Field(
        default=(), description="Rules the remediation fixed (verified)."
    )
    users_affected: int | None = Field(
        default=None, description="Active connections a disruptive fix touched."
    )
    error: str | None = Field(
        default=None, description="Why remediation failed, with AWS's error code."
    )

    @property
    def settled(self) -> bool:
        """True when nothing about the endpoint still needs a human.

        A remediated endpoint counts only when every finding was fixed: a fix of some rules
        can leave a report-only finding (e.g. connection logging) behind.
        """
        if self.status in (EndpointStatus.COMPLIANT, EndpointStatus.EXEMPT):
            return True
        if self.status is EndpointStatus.REMEDIATED:
            return all(finding.rule in self.fixed_rules for finding in self.findings)
        return False

    @property
    def severity(self) -> str | None:
        """The highest severity among the findings (None when there are none)."""
        worst = worst_severity(self.findings)
        return str(worst) if worst else None


class ReportError(_Frozen):
    """A region or endpoint that could not be evaluated (no access, throttled after retries)."""

    account: str | None = None
    region: str
    endpoint_id: str | None = None
    code: str
    message: str


class PolicyRef(_Frozen):
    """Which policy produced the verdicts."""

    version: int
    content_hash: str
    mode: str


class ReportSource(_Frozen):
    """What produced the report."""

    kind: Literal["enforcer", "sweeper", "cli"]
    event_id: str | None = None
    event_name: str | None = None
    change: str | None = Field(
        default=None,
        description="What the triggering call changed on the endpoint, in words "
        "(e.g. 'authorization rule added', 'tags removed').",
    )
    actor: str | None = Field(
        default=None, description="Who made the change that triggered the check."
    )
    regions: tuple[str, ...] = ()


class ReportSummary(_Frozen):
    """Counts over the whole report."""

    endpoints: int
    compliant: int
    non_compliant: int
    remediated: int
    remediation_failed: int
    exempt: int
    errors: int
    by_rule: dict[str, int] = Field(description="Endpoints whose findings include each rule.")


class ComplianceReport(_Frozen):
    """A compliance report over any number of endpoints."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra={"$id": SCHEMA_ID})

    report_version: Literal[1] = 1
    generated_at: datetime
    policy: PolicyRef
    source: ReportSource
    summary: ReportSummary
    endpoints: tuple[EndpointReport, ...]
    errors: tuple[ReportError, ...] = ()

    @property
    def clean(self) -> bool:
        """True when every endpoint is settled and nothing failed to be checked."""
        return not self.errors and all(endpoint.settled for endpoint in self.endpoints)

    def to_json(self) -> str:
        """Compact, deterministic JSON (what subscribers receive).

        A string that UTF-8 cannot carry (a lone surrogate) is written as a JSON ``\\u``
        escape instead of failing the whole notice.
        """
        try:
            return self.model_dump_json()
        except PydanticSerializationError:
            return json.dumps(self.model_dump(mode="json"), separators=(",", ":"))


def summarize(
    endpoints: Iterable[EndpointReport], errors: Iterable[ReportError] = ()
) -> ReportSummary:
    """Count statuses and per-rule findings."""
    statuses: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    total = 0
    for endpoint in endpoints:
        total += 1
        statuses[endpoint.status] += 1
        by_rule.update({finding.rule for finding in endpoint.findings})
    return ReportSummary(
        endpoints=total,
        compliant=statuses[EndpointStatus.COMPLIANT],
        non_compliant=statuses[EndpointStatus.NON_COMPLIANT],
        remediated=statuses[EndpointStatus.REMEDIATED],
        remediation_failed=statuses[EndpointStatus.REMEDIATION_FAILED],
        exempt=statuses[EndpointStatus.EXEMPT],
        errors=sum(1 for _ in errors),
        by_rule=dict(sorted(by_rule.items())),
    )


def build_report(
    *,
    policy: Policy,
    source: ReportSource,
    endpoints: Iterable[EndpointReport],
    errors: Iterable[ReportError] = (),
    generated_at: datetime | None = None,
) -> ComplianceReport:
    """Assemble a report; endpoints are sorted by account, region and id for stable output."""
    ordered = tuple(sorted(endpoints, key=lambda e: (e.account, e.region, e.endpoint_id)))
    error_list = tuple(errors)
    identity = policy.identity
    return ComplianceReport(
        generated_at=generated_at or datetime.now(UTC),
        policy=PolicyRef(
            version=identity.version, content_hash=identity.content_hash, mode=str(policy.mode)
        ),
        source=source,
        summary=summarize(ordered, error_list),
        endpoints=ordered,
        errors=error_list,
    )


def json_schema() -> str:
    """The report's JSON Schema, as committed in ``schemas/``."""
    schema = ComplianceReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(json_schema(), end="")
