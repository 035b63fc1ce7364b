"""BatchUpdateFindings for moto 5.2's Security Hub (it answers "Not yet implemented").

cvpn-guard sets a finding's workflow status with it (a finding provider cannot change
``Workflow`` through BatchImportFindings). Only ``Workflow`` is applied: that is all the
product sends.
"""

from __future__ import annotations

import json

from moto.securityhub.responses import SecurityHubResponse


def batch_update_findings(self: SecurityHubResponse) -> str:
    params = json.loads(self.body) if self.body else {}
    identifiers = params.get("FindingIdentifiers", [])
    workflow = params.get("Workflow")
    known = {finding.id: finding for finding in self.securityhub_backend.findings}
    processed, unprocessed = [], []
    for identifier in identifiers:
        finding = known.get(identifier.get("Id"))
        if finding is None:
            unprocessed.append(
                {
                    "FindingIdentifier": identifier,
                    "ErrorCode": "FindingNotFound",
                    "ErrorMessage": "no finding with this Id",
                }
            )
            continue
        if workflow:
            finding.data["Workflow"] = dict(workflow)
        processed.append(identifier)
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


def install_security_hub() -> None:
    """Attach the operation to moto's response class (seen by every dispatch mode)."""
    SecurityHubResponse.batch_update_findings = batch_update_findings  # type: ignore[attr-defined]
