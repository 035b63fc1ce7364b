"""``cvpn-guard check --format json``: the verdicts as one versioned document.

``check_version`` changes only when a field changes meaning or goes away; fields may be added.
"""

from __future__ import annotations

import json
from typing import Any

from cvpn_guard import __version__
from cvpn_guard.iac.checking import CheckResult, Verdict
from cvpn_guard.policy.document import Policy

CHECK_VERSION = 1
TOOL = "cvpn-guard"


def render_json(result: CheckResult, policy: Policy, policy_source: str) -> str:
    """The document, indented, keys in a fixed order."""
    identity = policy.identity
    document = {
        "check_version": CHECK_VERSION,
        "tool": {"name": TOOL, "version": __version__},
        "policy": {
            "source": policy_source,
            "version": identity.version,
            "content_hash": identity.content_hash,
            "rules": [config.rule_id for config in policy.rules.active()],
        },
        "clean": result.clean,
        "files": list(result.files),
        "endpoints": [_endpoint(verdict) for verdict in result.verdicts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _endpoint(verdict: Verdict) -> dict[str, Any]:
    endpoint = verdict.endpoint
    return {
        "kind": str(endpoint.kind),
        "file": endpoint.file,
        "name": endpoint.name,
        "line": endpoint.line,
        "status": str(verdict.status),
        "clean": verdict.clean,
        "findings": [
            {
                "rule": f.rule,
                "severity": str(f.severity),
                "line": f.line,
                "message": f.message,
                "expected": f.finding.expected,
                "actual": f.finding.actual,
                "controls": list(f.finding.controls),
            }
            for f in verdict.findings
        ],
        "unevaluated": [
            {"rule": u.rule, "reason": u.reason, "line": u.line, "unresolved": u.unresolved}
            for u in verdict.unevaluated
        ],
        "notes": [{"rule": n.rule, "line": n.line, "message": n.message} for n in verdict.notes],
        "exempted": [
            {
                "rule": e.finding.rule,
                "reason": e.exemption_reason,
                "expires": e.expires.isoformat() if e.expires else None,
            }
            for e in verdict.exempted
        ],
        "defaulted": dict(endpoint.defaulted),
    }
