"""Security Hub: import cvpn-guard's ASFF findings, then set their workflow status.

BatchImportFindings creates or updates a finding (same Id: same finding), but a finding
provider cannot change ``Workflow`` of an existing finding with it (Security Hub API
Reference, BatchImportFindings): the RESOLVED and SUPPRESSED statuses are applied with
BatchUpdateFindings, the customer's API, which this stack is acting for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cvpn_guard.aws.errors import aws_call, raise_if_entries_failed

BATCH = 100  # both operations take at most 100 findings per request


class SecurityHubFindings:
    """Imports findings into the Security Hub of the client's account and region."""

    def __init__(self, securityhub: Any) -> None:
        self._hub = securityhub

    def publish(self, findings: Sequence[Mapping[str, Any]]) -> None:
        """Import ``findings`` and apply each one's intended workflow status."""
        for start in range(0, len(findings), BATCH):
            batch = [dict(f) for f in findings[start : start + BATCH]]
            with aws_call("BatchImportFindings"):
                response = self._hub.batch_import_findings(Findings=batch)
            raise_if_entries_failed(
                "BatchImportFindings",
                response.get("FailedFindings") or [],
                code_key="ErrorCode",
                message_key="ErrorMessage",
                what="findings",
            )
        for status in ("RESOLVED", "SUPPRESSED"):
            chosen = [f for f in findings if f.get("Workflow", {}).get("Status") == status]
            for start in range(0, len(chosen), BATCH):
                identifiers = [
                    {"Id": f["Id"], "ProductArn": f["ProductArn"]}
                    for f in chosen[start : start + BATCH]
                ]
                with aws_call("BatchUpdateFindings"):
                    self._hub.batch_update_findings(
                        FindingIdentifiers=identifiers, Workflow={"Status": status}
                    )
