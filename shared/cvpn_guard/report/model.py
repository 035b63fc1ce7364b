"""The compliance report's models: one schema for the enforcer's notices, the sweeper and the CLI.

The JSON Schema in ``schemas/compliance-report.schema.json`` is generated from these models
(``python -m cvpn_guard.report``) and a test keeps the two identical, so subscribers can
validate what they receive.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic_core import PydanticSerializationError

from cvpn_guard.findings import (
    EndpointStatus,
    ExemptedFinding,
    Finding,
    UnevaluatedRule,
    worst_severity,
)
from cvpn_guard.policy import Policy
from cvpn_guard.report.owner import EndpointOwner

SCHEMA_ID = "https://cvpn-guard.dev/schemas/compliance-report/v1.json"
SHORTENED = (
    "True when its long values were cut (ending in '…') so that it fits in one SNS message "
    "on its own; `cvpn-guard scan --format json` shows them whole"
)


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
    name: str | None = Field(
        default=None, description="The endpoint's Name tag (null: it has none, or it is empty)."
    )
    account: str
    region: str
    status: EndpointStatus
    findings: tuple[Finding, ...] = ()
    exempted: tuple[ReportExemption, ...] = ()
    unevaluated: tuple[UnevaluatedRule, ...] = Field(
        default=(),
        description="Active rules that could not be checked (an input they need was not "
        "read): they found nothing, which is not a pass.",
    )
    changes: tuple[ReportChange, ...] = ()
    fixed_rules: tuple[str, ...] = Field(
        default=(), description="Rules the remediation fixed (verified)."
    )
    users_affected: int | None = Field(
        default=None, description="Active connections a disruptive fix touched."
    )
    users_not_counted: str | None = Field(
        default=None,
        description="Why users_affected is null although the fix is disruptive: the active "
        "connections could not be counted (the call, AWS's code and message). The fix is made "
        "all the same: the count only informs.",
    )
    error: str | None = Field(
        default=None, description="Why remediation failed, with AWS's error code."
    )
    failed_call: str | None = Field(
        default=None,
        description="The call that failed when remediation failed (e.g. "
        "ModifyClientVpnEndpoint); null: no call failed.",
    )
    shortened: bool = Field(
        default=False,
        description=SHORTENED
        + " (findings' expected/actual and changes' before/after become their JSON text).",
    )
    owner: EndpointOwner | None = Field(
        default=None,
        description="The infrastructure as code that deploys the endpoint, as its tags name it "
        "(a CloudFormation stack, or an iac_owner_tags tag of the policy): fix it there too, or "
        "the next deployment reverts the fix. null: no owner tag.",
    )

    @property
    def settled(self) -> bool:
        """True when nothing about the endpoint still needs a human.

        A remediated endpoint counts only when every finding was fixed: a fix of some rules
        can leave a report-only finding (e.g. connection logging) behind. A rule left
        unchecked because its read failed counts against it: it may be broken.
        """
        if any(rule.read_failed for rule in self.unevaluated):
            return False
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
    region: str | None = Field(
        default=None,
        description="null: the error concerns no single region (e.g. an organization sweep "
        "that found no account to sweep).",
    )
    endpoint_id: str | None = None
    name: str | None = Field(
        default=None, description="The endpoint's Name tag, when the error concerns one."
    )
    code: str
    message: str
    failed_call: str | None = Field(
        default=None,
        description="The AWS call that failed (e.g. DescribeClientVpnEndpoints, AssumeRole); "
        "null: not told.",
    )
    shortened: bool = Field(default=False, description=SHORTENED + ".")


NotSweptReason = Literal["deadline_passed", "management_account"]


class NotSwept(_Frozen):
    """An account (or one of its regions) the organization sweep knows of but did not sweep.

    ``deadline_passed``: its work item had not reported when the run's deadline came (the
    worker failed for good, or is still running), so the run was merged without it.
    ``management_account``: the organization's management account, which a service-managed
    StackSet never deploys the member role to (the message says what to do).
    """

    account: str
    region: str | None = Field(default=None, description="null: every swept region.")
    reason: NotSweptReason
    message: str
    shortened: bool = Field(default=False, description=SHORTENED + ".")


class PolicyRef(_Frozen):
    """Which policy produced the verdicts."""

    version: int
    content_hash: str = Field(
        description="The document's hash, as `cvpn-guard policy validate` prints it: taken "
        "from the document as written, before any mode override."
    )
    mode: str = Field(description="The mode that applied.")
    document_mode: str | None = Field(
        default=None,
        description="The mode the document says. It differs from mode when the mode was "
        "overridden (e.g. `cvpn-guard scan` without --remediate runs an enforce document in "
        "report mode; the Lambdas' ENFORCEMENT_MODE overrides it). null only in reports "
        "written before this field existed.",
    )


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
    endpoint_ids: tuple[str, ...] = Field(
        default=(),
        description="The endpoints the run was limited to (scan --endpoint-id); empty: all.",
    )
    rules: tuple[str, ...] = Field(
        default=(),
        description="The policy's rules the run was limited to (scan --rule); empty: all of "
        "them. policy.content_hash stays the whole document's.",
    )


class ReportSummary(_Frozen):
    """Counts over the whole report."""

    endpoints: int
    compliant: int
    non_compliant: int
    remediated: int
    remediation_failed: int
    exempt: int
    deferred: int = Field(
        default=0,
        description="Endpoints whose disruptive fixes wait for a maintenance window "
        "(or for fewer connected users).",
    )
    errors: int
    not_swept: int = Field(
        default=0, description="Accounts or account x region targets the sweep did not cover."
    )
    by_rule: dict[str, int] = Field(description="Endpoints whose findings include each rule.")
    # Lists, not tuples: the sweeper returns the summary's model_dump() as its result.
    controls: dict[str, list[str]] = Field(
        default_factory=dict,
        description="The compliance controls each rule of by_rule serves (its findings' "
        "controls; rules that serve none are left out).",
    )


class RegionTrail(_Frozen):
    """Whether CloudTrail delivers this region's API calls, and so whether the enforcer runs.

    EventBridge receives "AWS API Call via CloudTrail" events only where a trail is logging:
    without one, drift in the region is found by the sweep alone.
    """

    region: str
    account: str | None = Field(
        default=None, description="The account the trail state belongs to (null: not told)."
    )
    logging: bool | None = Field(
        description="true: a trail covering the region is logging; false: none is; "
        "null: it could not be told (see problem)."
    )
    trails: tuple[str, ...] = Field(default=(), description="ARNs of the logging trails.")
    problem: str | None = Field(
        default=None, description="Why the status is unknown or partly unknown."
    )
    shortened: bool = Field(default=False, description=SHORTENED + ".")


class ReportPart(_Frozen):
    """Which part of a report too large for one SNS message this is."""

    index: int = Field(ge=1, description="1 to count.")
    count: int = Field(ge=2, description="How many parts carry the report.")

    @model_validator(mode="after")
    def _within_count(self) -> Self:
        if self.index > self.count:
            raise ValueError(f"part {self.index} of {self.count} does not exist")
        return self


class ComplianceReport(_Frozen):
    """A compliance report over any number of endpoints (or one part of a split report)."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra={"$id": SCHEMA_ID})

    report_version: Literal[1] = 1
    report_id: str = Field(
        description="Identifies the report; every part of a split report carries the same id."
    )
    part: ReportPart | None = Field(
        default=None,
        description="Set on each part of a report split between whole endpoints: the summary, "
        "policy and source are the whole report's, the endpoints and errors this part's own "
        "(cvpn_guard.report.merge_parts joins them). null: the report is whole.",
    )
    generated_at: datetime
    policy: PolicyRef
    source: ReportSource
    summary: ReportSummary
    endpoints: tuple[EndpointReport, ...]
    errors: tuple[ReportError, ...] = ()
    cloudtrail: tuple[RegionTrail, ...] = Field(
        default=(),
        description="Per swept account and region, whether real-time enforcement can run "
        "there (sweeps only; a split report carries them after its errors, like the errors).",
    )
    not_swept: tuple[NotSwept, ...] = Field(
        default=(),
        description="What an organization sweep did not cover, and why (after the cloudtrail "
        "entries in a split report).",
    )

    @property
    def clean(self) -> bool:
        """True when every endpoint is settled and nothing failed to be checked or was left
        out of the sweep."""
        return (
            not self.errors
            and not self.not_swept
            and all(endpoint.settled for endpoint in self.endpoints)
        )

    def to_json(self) -> str:
        """Compact, deterministic JSON (what subscribers receive)."""
        return compact_json(self)


def compact_json(model: BaseModel, *, ascii_only: bool = False) -> str:
    """Compact, deterministic JSON of a report or any of its parts.

    A string that UTF-8 cannot carry (a lone surrogate) makes the whole document ASCII, with
    JSON ``\\u`` escapes, instead of failing the notice; ``ascii_only`` asks for that form.
    """
    if not ascii_only:
        try:
            return model.model_dump_json()
        except PydanticSerializationError:
            pass
    return json.dumps(model.model_dump(mode="json"), separators=(",", ":"))


def summarize(
    endpoints: Iterable[EndpointReport],
    errors: Iterable[ReportError] = (),
    not_swept: Iterable[NotSwept] = (),
) -> ReportSummary:
    """Count statuses and per-rule findings."""
    statuses: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    controls: dict[str, list[str]] = {}
    total = 0
    for endpoint in endpoints:
        total += 1
        statuses[endpoint.status] += 1
        by_rule.update({finding.rule for finding in endpoint.findings})
        controls.update({f.rule: list(f.controls) for f in endpoint.findings if f.controls})
    return ReportSummary(
        endpoints=total,
        compliant=statuses[EndpointStatus.COMPLIANT],
        non_compliant=statuses[EndpointStatus.NON_COMPLIANT],
        remediated=statuses[EndpointStatus.REMEDIATED],
        remediation_failed=statuses[EndpointStatus.REMEDIATION_FAILED],
        exempt=statuses[EndpointStatus.EXEMPT],
        deferred=statuses[EndpointStatus.DEFERRED],
        errors=sum(1 for _ in errors),
        not_swept=sum(1 for _ in not_swept),
        by_rule=dict(sorted(by_rule.items())),
        controls=dict(sorted(controls.items())),
    )


def build_report(
    *,
    policy: Policy,
    source: ReportSource,
    endpoints: Iterable[EndpointReport],
    errors: Iterable[ReportError] = (),
    cloudtrail: Iterable[RegionTrail] = (),
    not_swept: Iterable[NotSwept] = (),
    generated_at: datetime | None = None,
    report_id: str | None = None,
) -> ComplianceReport:
    """Assemble a report; endpoints are sorted by account, region and id for stable output.

    Its ``report_id`` is a fresh UUID unless one is given: the parts of a split report share
    it, and no two reports do (not even two runs over an unchanged estate). An organization
    sweep passes one derived from its run, so a report published again after a failure
    carries the same id (subscribers can drop the copy).
    """
    ordered = tuple(sorted(endpoints, key=lambda e: (e.account, e.region, e.endpoint_id)))
    error_list = tuple(errors)
    left_out = tuple(sorted(not_swept, key=lambda n: (n.account, n.region or "")))
    identity = policy.identity
    return ComplianceReport(
        report_id=report_id or str(uuid.uuid4()),
        generated_at=generated_at or datetime.now(UTC),
        policy=PolicyRef(
            version=identity.version,
            content_hash=identity.content_hash,
            mode=str(policy.mode),
            document_mode=str(policy.document_mode),
        ),
        source=source,
        summary=summarize(ordered, error_list, left_out),
        endpoints=ordered,
        errors=error_list,
        cloudtrail=tuple(sorted(cloudtrail, key=lambda trail: (trail.account or "", trail.region))),
        not_swept=left_out,
    )


def json_schema() -> str:
    """The report's JSON Schema, as committed in ``schemas/``."""
    schema = ComplianceReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
