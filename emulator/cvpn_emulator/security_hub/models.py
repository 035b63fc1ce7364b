"""What Security Hub does with imported and updated findings (moto's backend, corrected).

Each rule is the Security Hub API Reference's (botocore's securityhub model) or its User
Guide's:

- BatchImportFindings refuses a finding with a blank NonEmptyString in ``FailedFindings``
  (``InvalidInput``) and takes the rest of the batch (``validation``).
- "After a finding is created, BatchImportFindings cannot be used to update ... Note,
  UserDefinedFields, VerificationState, Workflow" (BatchImportFindings): an update keeps the
  finding's own; the rest of the finding is the provider's new version ("To update a
  finding, you must overwrite the existing finding", Partner Guide, as quoted in
  prowler-cloud/prowler#712).
- A new finding's workflow is ``NEW``, "the initial state of a finding" (Workflow.Status),
  unless it was imported with another; its record state ``ACTIVE`` unless imported with one.
- ``SUPPRESSED``: "The finding is no longer updated" (Workflow.Status): an import of a
  suppressed finding is taken (counted a success) and changes nothing.
- An update whose ``UpdatedAt`` is not later than the finding's is ignored ("If UpdatedAt on
  the update matches or occurs before the UpdatedAt on the existing finding", User Guide,
  BatchImportFindings for finding providers).
- ``NOTIFIED`` or ``RESOLVED`` go back to ``NEW`` when ``RecordState`` changes from
  ``ARCHIVED`` to ``ACTIVE`` or ``Compliance.Status`` from ``PASSED`` to ``WARNING``,
  ``FAILED`` or ``NOT_AVAILABLE`` (Workflow.Status); a SUPPRESSED one does not
  (AwsSecurityFindingFilters.WorkflowStatus).
- BatchUpdateFindings answers ``FindingNotFound`` and ``DuplicatedFindingIdentifier`` in
  ``UnprocessedFindings`` (BatchUpdateFindingsUnprocessedFinding) and does not change
  ``UpdatedAt``; any workflow status may follow any other (nothing in the API Reference or
  the User Guide forbids one).
- GetFindings honours its string filters (``filters``).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from moto.securityhub.exceptions import InvalidInputException
from moto.securityhub.models import Finding, SecurityHubBackend
from moto.utilities.paginator import paginate

from .filters import matching, validated
from .validation import blank_string_problem, too_many_items_problem

NEW, NOTIFIED, RESOLVED, SUPPRESSED = "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"
WORKFLOW_STATUSES = (NEW, NOTIFIED, RESOLVED, SUPPRESSED)
CUSTOMER_FIELDS = ("Note", "UserDefinedFields", "VerificationState", "Workflow")
_WORSE = frozenset({"WARNING", "FAILED", "NOT_AVAILABLE"})


def _workflow(data: Mapping[str, Any]) -> str:
    return str((data.get("Workflow") or {}).get("Status") or NEW)


def _compliance(data: Mapping[str, Any]) -> str | None:
    status = (data.get("Compliance") or {}).get("Status")
    return str(status) if status else None


def _moment(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _later(update: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    new, old = _moment(update.get("UpdatedAt")), _moment(stored.get("UpdatedAt"))
    if new is None or old is None or (new.tzinfo is None) != (old.tzinfo is None):
        return True  # not comparable: let it through rather than guess
    return new > old


def _updated(stored: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """The finding after ``update`` is imported over ``stored`` (not SUPPRESSED)."""
    new = copy.deepcopy(dict(update))
    for key in CUSTOMER_FIELDS:
        new.pop(key, None)
        if key in stored:
            new[key] = stored[key]
    new.setdefault("RecordState", stored.get("RecordState", "ACTIVE"))
    if _workflow(stored) in (NOTIFIED, RESOLVED):
        reactivated = stored.get("RecordState") == "ARCHIVED" and new["RecordState"] == "ACTIVE"
        worsened = _compliance(stored) == "PASSED" and _compliance(new) in _WORSE
        if reactivated or worsened:
            new["Workflow"] = {"Status": NEW}
    return new


def batch_import_findings(
    self: SecurityHubBackend, findings: list[dict[str, Any]]
) -> tuple[int, int, list[dict[str, Any]]]:
    failed: list[dict[str, Any]] = []
    success = 0
    known = {finding.id: finding for finding in self.findings}
    for data in findings:
        problem = blank_string_problem(data) or too_many_items_problem(data)
        if problem is None and not (isinstance(data.get("Resources"), list) and data["Resources"]):
            problem = "Finding must contain at least one resource in the Resources array"
        if problem is not None:
            failed.append(
                {
                    "Id": str(data.get("Id", "")),
                    "ErrorCode": "InvalidInput",
                    "ErrorMessage": problem,
                }
            )
            continue
        existing = known.get(str(data["Id"]))
        if existing is None:
            created = copy.deepcopy(data)
            created.setdefault("Workflow", {"Status": NEW})
            created.setdefault("RecordState", "ACTIVE")
            finding = Finding(str(data["Id"]), created)
            self.findings.append(finding)
            known[finding.id] = finding
        elif _workflow(existing.data) != SUPPRESSED and _later(data, existing.data):
            existing.data = _updated(existing.data, data)
        success += 1
    return len(failed), success, failed


@paginate(pagination_model=SecurityHubBackend.PAGINATION_MODEL)
def get_findings(
    self: SecurityHubBackend,
    filters: dict[str, Any] | None = None,
    sort_criteria: list[dict[str, str]] | None = None,
    max_results: int | None = None,
) -> list[Mapping[str, Any]]:
    # SortCriteria is not emulated: findings come back in the order they were created.
    if max_results is not None and not 1 <= int(max_results) <= 100:
        raise InvalidInputException(
            op="GetFindings", msg="MaxResults must be a number between 1 and 100"
        )
    return matching((finding.as_dict() for finding in self.findings), validated(filters))


def batch_update_findings(
    self: SecurityHubBackend,
    identifiers: list[dict[str, Any]],
    workflow: Mapping[str, Any] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Apply ``Workflow`` (the only field cvpn-guard sends) to the identified findings."""
    status = (workflow or {}).get("Status")
    if workflow is not None and status not in WORKFLOW_STATUSES:
        raise InvalidInputException(
            op="BatchUpdateFindings", msg=f"Workflow.Status must be one of {WORKFLOW_STATUSES}"
        )
    named = Counter((i.get("Id"), i.get("ProductArn")) for i in identifiers)
    known: dict[tuple[Any, Any], Finding] = {
        (f.id, f.data.get("ProductArn")): f for f in self.findings
    }
    processed, unprocessed = [], []
    for identifier in identifiers:
        key = (identifier.get("Id"), identifier.get("ProductArn"))
        finding = known.get(key)
        if named[key] > 1:
            code, message = "DuplicatedFindingIdentifier", "Finding Identifier is duplicated"
        elif finding is None:
            code, message = "FindingNotFound", "Finding Not Found"
        else:
            if status is not None:
                finding.data["Workflow"] = {"Status": status}
            processed.append(identifier)
            continue
        unprocessed.append(
            {"FindingIdentifier": identifier, "ErrorCode": code, "ErrorMessage": message}
        )
    return processed, unprocessed


def install_models() -> None:
    """Replace moto's backend methods (every account and region's backend sees them)."""
    SecurityHubBackend.batch_import_findings = batch_import_findings  # type: ignore[method-assign]
    SecurityHubBackend.get_findings = get_findings  # type: ignore[method-assign, assignment]
    SecurityHubBackend.batch_update_findings = batch_update_findings  # type: ignore[attr-defined]
