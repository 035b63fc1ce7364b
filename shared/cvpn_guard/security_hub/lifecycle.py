"""What each cvpn-guard finding in Security Hub must become, given what is there (pure).

A finding has two owners. Its provider (cvpn-guard) writes it with BatchImportFindings; its
investigation (``Workflow``) belongs to customers, through BatchUpdateFindings. The Security
Hub API Reference (as in botocore's securityhub model) sets the rules this plan follows:

- "After a finding is created, BatchImportFindings cannot be used to update ... Workflow"
  (BatchImportFindings): a new finding takes the Workflow it is imported with, an existing
  one only what BatchUpdateFindings sets.
- ``SUPPRESSED``: "The finding is no longer updated" (Workflow.Status): an import of a
  suppressed finding is lost, so a finding that must leave SUPPRESSED is moved *before* the
  import, with BatchUpdateFindings.
- Security Hub itself resets ``NOTIFIED`` or ``RESOLVED`` to ``NEW`` when RecordState goes
  ``ARCHIVED`` -> ``ACTIVE`` or Compliance.Status goes ``PASSED`` -> ``WARNING``/``FAILED``/
  ``NOT_AVAILABLE`` (Workflow.Status); it does not reopen SUPPRESSED ones
  (AwsSecurityFindingFilters.WorkflowStatus). The plan predicts that reset and sends only
  the workflow changes Security Hub will not make itself.
- A provider archives a finding that no longer applies with ``RecordState: ARCHIVED``.

So: a finding that fails again goes back to ``NEW`` (from SUPPRESSED before the import, from
RESOLVED after it when Security Hub does not do it), and one a human set to ``NOTIFIED``
stays so while it fails; a passing one is ``RESOLVED``; an exempt one ``SUPPRESSED``; an
unevaluated rule's keeps its workflow (Security Hub reopens it if it passed before); a
finding nobody produced this run (its endpoint is gone, or its rule left the policy) is
imported again as ``ARCHIVED``. ``CreatedAt`` stays the first time the finding was seen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cvpn_guard.security_hub.findings import (
    ACTIVE,
    ARCHIVED,
    FAILED,
    GENERATOR_PREFIX,
    NEW,
    NOT_AVAILABLE,
    NOTIFIED,
    PASSED,
    RESOLVED,
    SUPPRESSED,
    endpoint_arn,
    product_arn,
)

WARNING = "WARNING"  # Compliance.Status cvpn-guard never sends, but Security Hub reacts to
_WORSE = frozenset({WARNING, FAILED, NOT_AVAILABLE})

# What an archived copy repeats of the finding as Security Hub holds it: the provider's own
# fields. Workflow, Note, UserDefinedFields and VerificationState are the customer's (an
# import cannot change them), and what Security Hub adds (ProductName, CompanyName, Region,
# ProcessedAt, the aws/securityhub/* product fields) is not the provider's to send.
_PROVIDER_FIELDS = (
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Types",
    "CreatedAt",
    "FirstObservedAt",
    "LastObservedAt",
    "Severity",
    "FindingProviderFields",
    "Title",
    "Description",
    "ProductFields",
    "Resources",
    "Compliance",
)
_SECURITY_HUB_PRODUCT_FIELDS = "aws/"

Identifier = tuple[str, str]
"""A finding's (Id, ProductArn): BatchUpdateFindings' AwsSecurityFindingIdentifier."""


# What the plan reads of a finding it will not archive (see StoredFinding.slim).
_PLANNED_FIELDS = ("Id", "ProductArn", "CreatedAt", "Workflow", "RecordState", "Compliance")


@dataclass(frozen=True)
class StoredFinding:
    """One cvpn-guard finding as GetFindings returns it."""

    document: Mapping[str, Any]

    def slim(self) -> StoredFinding:
        """Only what the plan reads of a finding it will not archive: a region's findings
        (thousands of endpoints times their rules, a few KB each) need not all be held whole
        in a 512 MB function."""
        return StoredFinding({k: self.document[k] for k in _PLANNED_FIELDS if k in self.document})

    @property
    def id(self) -> str:
        return str(self.document.get("Id", ""))

    @property
    def identifier(self) -> Identifier:
        return self.id, str(self.document.get("ProductArn", ""))

    @property
    def created_at(self) -> str | None:
        created = self.document.get("CreatedAt")
        return str(created) if created else None

    @property
    def workflow(self) -> str:
        # NEW is "the initial state of a finding" (Workflow.Status).
        return str((self.document.get("Workflow") or {}).get("Status") or NEW)

    @property
    def record_state(self) -> str:
        return str(self.document.get("RecordState") or ACTIVE)

    @property
    def compliance(self) -> str | None:
        status = (self.document.get("Compliance") or {}).get("Status")
        return str(status) if status else None

    @property
    def endpoint_id(self) -> str | None:
        """The endpoint in the finding's id (``cvpn-guard/ACCOUNT/REGION/ENDPOINT/RULE``)."""
        parts = self.id.split("/", 4)
        if len(parts) != 5 or f"{parts[0]}/" != GENERATOR_PREFIX or not parts[3]:
            return None
        return parts[3]


def finding_filters(
    *, partition: str, account: str, region: str, endpoint_id: str | None = None
) -> dict[str, list[dict[str, str]]]:
    """GetFindings filters for cvpn-guard's findings in one account and region (of one
    endpoint, when given).

    ProductArn holds the region: with cross-Region aggregation, GetFindings in the home
    Region also returns the linked Regions' findings (GetFindings), which are not this run's
    to judge. The account's default product is shared with anything else the customer
    imports: the GeneratorId prefix keeps to ours.
    """
    filters = {
        "ProductArn": [{"Value": product_arn(partition, region, account), "Comparison": "EQUALS"}],
        "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
    }
    if endpoint_id is not None:
        resource = endpoint_arn(partition, region, account, endpoint_id)
        filters["ResourceId"] = [{"Value": resource, "Comparison": "EQUALS"}]
    return filters


@dataclass(frozen=True)
class WorkflowChange:
    """One BatchUpdateFindings status for some findings."""

    status: str
    identifiers: tuple[Identifier, ...]


@dataclass(frozen=True)
class ExportPlan:
    """The calls that bring Security Hub to the verdicts, in the order they must be made.

    Attributes
    ----------
    reopen : tuple[WorkflowChange, ...]
        BatchUpdateFindings before the import: SUPPRESSED findings that must take it.
    imports : tuple[Mapping[str, Any], ...]
        BatchImportFindings: the verdicts (each keeping its stored CreatedAt) and the
        archived copies.
    settle : tuple[WorkflowChange, ...]
        BatchUpdateFindings after the import: what Security Hub does not set by itself.
    archived : tuple[str, ...]
        Ids of the findings archived (among ``imports``).
    left_suppressed : tuple[str, ...]
        Ids not imported: suppressed, and to stay so (exempt, or the rule could not be
        checked); Security Hub would not update them.
    """

    reopen: tuple[WorkflowChange, ...] = ()
    imports: tuple[Mapping[str, Any], ...] = ()
    settle: tuple[WorkflowChange, ...] = ()
    archived: tuple[str, ...] = ()
    left_suppressed: tuple[str, ...] = ()


def _stamp(now: datetime) -> str:
    return now.isoformat().replace("+00:00", "Z")


def _wanted(finding: Mapping[str, Any]) -> str | None:
    """The workflow a verdict asks for (None: whatever it is)."""
    if finding["Compliance"]["Status"] == NOT_AVAILABLE:
        return None
    return str(finding["Workflow"]["Status"])


def _after_import(stored: StoredFinding, finding: Mapping[str, Any]) -> str:
    """The workflow Security Hub leaves on ``stored`` once ``finding`` is imported over it."""
    if stored.workflow in (NOTIFIED, RESOLVED):
        reactivated = stored.record_state == ARCHIVED and finding["RecordState"] == ACTIVE
        worsened = stored.compliance == PASSED and finding["Compliance"]["Status"] in _WORSE
        if reactivated or worsened:
            return NEW
    return stored.workflow


def _settled(wanted: str | None, after: str) -> str | None:
    """The BatchUpdateFindings status still to send (None: none)."""
    if wanted is None or wanted == after:
        return None
    if wanted == NEW and after == NOTIFIED:
        return None  # a human told the owner; the finding still fails: leave it so
    return wanted


def archived_copy(stored: StoredFinding, now: datetime) -> dict[str, Any]:
    """``stored`` imported again as ARCHIVED (UpdatedAt now: Security Hub takes an update
    only when it is later than the finding's)."""
    copy = {key: stored.document[key] for key in _PROVIDER_FIELDS if key in stored.document}
    fields = copy.get("ProductFields")
    if isinstance(fields, Mapping):
        copy["ProductFields"] = {
            key: value
            for key, value in fields.items()
            if not str(key).startswith(_SECURITY_HUB_PRODUCT_FIELDS)
        }
    copy["UpdatedAt"] = _stamp(now)
    copy["RecordState"] = ARCHIVED
    return copy


def plan_export(
    verdicts: Sequence[Mapping[str, Any]],
    stored: Iterable[StoredFinding],
    *,
    judged: frozenset[str],
    present: frozenset[str] | None,
    now: datetime,
) -> ExportPlan:
    """Plan the calls that make Security Hub say what ``verdicts`` say.

    Parameters
    ----------
    verdicts : Sequence[Mapping[str, Any]]
        This run's findings (``cvpn_guard.security_hub.asff_findings``).
    stored : Iterable[StoredFinding]
        cvpn-guard's findings Security Hub holds in the same scope (any record state).
    judged : frozenset[str]
        Endpoints judged this run: their stored findings that no verdict produced belong to
        rules no longer in the policy, and are archived.
    present : frozenset[str] | None
        Every endpoint that exists in the scope (a complete listing), or None when unknown:
        stored findings of endpoints not in it are archived (the endpoint is gone). Endpoints
        present but not judged (their check failed) keep their findings as they are.
    now : datetime
        This run's time (the archived copies' UpdatedAt).
    """
    by_id = {finding.id: finding for finding in stored}
    reopen: defaultdict[str, list[Identifier]] = defaultdict(list)
    settle: defaultdict[str, list[Identifier]] = defaultdict(list)
    imports: list[Mapping[str, Any]] = []
    left: list[str] = []
    for verdict in verdicts:
        prior = by_id.get(str(verdict["Id"]))
        if prior is None:
            imports.append(verdict)  # new: Security Hub takes its Workflow as imported
            continue
        finding = {**verdict, "CreatedAt": prior.created_at or verdict["CreatedAt"]}
        wanted = _wanted(finding)
        if prior.workflow == SUPPRESSED:
            if wanted in (None, SUPPRESSED):
                left.append(prior.id)
                continue
            reopen[wanted].append(prior.identifier)
            imports.append(finding)
            continue
        imports.append(finding)
        status = _settled(wanted, _after_import(prior, finding))
        if status is not None:
            settle[status].append(prior.identifier)

    produced = {str(verdict["Id"]) for verdict in verdicts}
    archived: list[str] = []
    for prior in by_id.values():
        endpoint = prior.endpoint_id
        if prior.id in produced or prior.record_state == ARCHIVED or endpoint is None:
            continue
        gone = present is not None and endpoint not in present
        if endpoint not in judged and not gone:
            continue
        if prior.workflow == SUPPRESSED:
            # A suppressed finding takes no import: resolve it first (its endpoint or rule is
            # gone, so nothing is left to act on), then archive it.
            reopen[RESOLVED].append(prior.identifier)
        imports.append(archived_copy(prior, now))
        archived.append(prior.id)

    return ExportPlan(
        reopen=tuple(WorkflowChange(s, tuple(ids)) for s, ids in reopen.items()),
        imports=tuple(imports),
        settle=tuple(WorkflowChange(s, tuple(ids)) for s, ids in settle.items()),
        archived=tuple(archived),
        left_suppressed=tuple(left),
    )


@dataclass(frozen=True)
class Refused:
    """A finding one batch call did not take: BatchImportFindings' FailedFindings or
    BatchUpdateFindings' UnprocessedFindings."""

    operation: str
    finding_id: str
    code: str
    message: str


@dataclass(frozen=True)
class BatchFailure:
    """A whole request that failed (after botocore's retries): none of its findings went."""

    operation: str
    code: str
    message: str
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class BatchResult:
    """What Security Hub made of one operation's requests."""

    taken: int = 0
    refused: tuple[Refused, ...] = ()
    failures: tuple[BatchFailure, ...] = ()

    @property
    def missed(self) -> frozenset[str]:
        """Ids of the findings not taken, refused or in a failed request."""
        return frozenset(
            {refused.finding_id for refused in self.refused}
            | {finding for failure in self.failures for finding in failure.finding_ids}
        )


@dataclass(frozen=True)
class ExportResult:
    """One export's outcome, for the caller to count and log.

    Attributes
    ----------
    imported : int
        Findings BatchImportFindings took (archived copies included).
    archived : int
        Of those, findings archived.
    reopened : int
        SUPPRESSED findings BatchUpdateFindings moved before the import.
    refused : tuple[Refused, ...]
        Findings either batch call did not take, with Security Hub's code.
    failures : tuple[BatchFailure, ...]
        Requests that failed as a whole; the other requests were still made.
    """

    imported: int = 0
    archived: int = 0
    reopened: int = 0
    refused: tuple[Refused, ...] = ()
    failures: tuple[BatchFailure, ...] = ()
