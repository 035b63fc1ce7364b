"""BatchUpdateFindings' answer (moto 5.2's Security Hub says "Not yet implemented").

moto's URL map has no route for the operation (``PATCH /findings/batchupdate``, botocore's
model), so the route is added too: without it every call answers 404.
"""

from __future__ import annotations

import json

from moto.securityhub import urls
from moto.securityhub.responses import SecurityHubResponse

ROUTE = "{0}/findings/batchupdate$"


def batch_update_findings(self: SecurityHubResponse) -> str:
    params = json.loads(self.body) if self.body else {}
    backend: object = self.securityhub_backend
    processed, unprocessed = backend.batch_update_findings(  # type: ignore[attr-defined]
        identifiers=params.get("FindingIdentifiers", []), workflow=params.get("Workflow")
    )
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})


def install_responses() -> None:
    """Attach the operation and its route to moto's classes and URL map (read by every
    dispatch mode when it builds its routes, so before a server starts)."""
    SecurityHubResponse.batch_update_findings = batch_update_findings  # type: ignore[attr-defined]
    urls.url_paths[ROUTE] = SecurityHubResponse.dispatch
