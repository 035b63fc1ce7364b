"""Security Hub: read cvpn-guard's findings, import them, set their workflow status.

Both batch operations answer 200 with the findings they did not take (BatchImportFindings'
``FailedFindings``, BatchUpdateFindings' ``UnprocessedFindings``, botocore's securityhub
model): those are returned, not raised, and so is a request that failed as a whole; the
next request is made either way, so one bad finding or batch never keeps the others out.
Which calls to make, and in which order, is ``cvpn_guard.security_hub.lifecycle``'s plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.security_hub.lifecycle import (
    BatchFailure,
    BatchResult,
    Identifier,
    Refused,
    StoredFinding,
)

BATCH = 100  # both operations take at most 100 findings per request
PAGE = 100  # GetFindings' MaxResults: 1 to 100

IMPORT = "BatchImportFindings"
UPDATE = "BatchUpdateFindings"


class SecurityHubFindings:
    """cvpn-guard's findings in the Security Hub of the client's account and region."""

    def __init__(self, securityhub: Any) -> None:
        self._hub = securityhub

    def findings(self, filters: Mapping[str, Any]) -> Iterator[StoredFinding]:
        """Every finding matching ``filters`` (GetFindings), page by page as it is read."""
        paginator = self._hub.get_paginator("get_findings")
        with aws_call("GetFindings"):
            pages = paginator.paginate(Filters=dict(filters), PaginationConfig={"PageSize": PAGE})
            for page in pages:
                for finding in page.get("Findings", []):
                    yield StoredFinding(finding)

    def import_findings(self, findings: Sequence[Mapping[str, Any]]) -> BatchResult:
        """BatchImportFindings, a hundred at a time."""
        taken, refused, failures = 0, [], []
        for start in range(0, len(findings), BATCH):
            batch = [dict(finding) for finding in findings[start : start + BATCH]]
            try:
                with aws_call(IMPORT):
                    response = self._hub.batch_import_findings(Findings=batch)
            except AwsCallError as error:
                failures.append(_failure(error, [str(f.get("Id", "")) for f in batch]))
                continue
            failed = response.get("FailedFindings") or []
            refused += [
                Refused(
                    IMPORT,
                    str(entry.get("Id", "")),
                    str(entry.get("ErrorCode") or "Unknown"),
                    str(entry.get("ErrorMessage") or ""),
                )
                for entry in failed
            ]
            taken += len(batch) - len(failed)
        return BatchResult(taken, tuple(refused), tuple(failures))

    def set_workflow(self, status: str, identifiers: Sequence[Identifier]) -> BatchResult:
        """BatchUpdateFindings of ``Workflow.Status``, a hundred findings at a time."""
        taken, refused, failures = 0, [], []
        for start in range(0, len(identifiers), BATCH):
            batch = [
                {"Id": finding_id, "ProductArn": product}
                for finding_id, product in identifiers[start : start + BATCH]
            ]
            try:
                with aws_call(UPDATE):
                    response = self._hub.batch_update_findings(
                        FindingIdentifiers=batch, Workflow={"Status": status}
                    )
            except AwsCallError as error:
                failures.append(_failure(error, [entry["Id"] for entry in batch]))
                continue
            unprocessed = response.get("UnprocessedFindings") or []
            refused += [
                Refused(
                    UPDATE,
                    str((entry.get("FindingIdentifier") or {}).get("Id", "")),
                    str(entry.get("ErrorCode") or "Unknown"),
                    str(entry.get("ErrorMessage") or ""),
                )
                for entry in unprocessed
            ]
            taken += len(batch) - len(unprocessed)
        return BatchResult(taken, tuple(refused), tuple(failures))


def _failure(error: AwsCallError, finding_ids: list[str]) -> BatchFailure:
    return BatchFailure(error.operation, error.code, error.message, tuple(finding_ids))
