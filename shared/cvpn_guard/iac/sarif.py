"""``cvpn-guard check --format sarif``: SARIF 2.1.0 as GitHub code scanning ingests it.

What GitHub reads (docs.github.com, "SARIF support for code scanning"): ``runs[].tool.driver``
with ``name``, ``version`` and ``rules`` (``reportingDescriptor``: ``id``, ``name``,
``shortDescription``, ``fullDescription`` (1,024 characters at most), ``help``, ``helpUri``,
``properties.tags`` to filter by, ``properties.security-severity`` to rank security results:
over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low); and results with
``ruleId``, ``message.text``, ``locations[].physicalLocation`` (a path relative to the
repository's root and ``region.startLine``) and ``partialFingerprints``, by which an alert is
the same alert from one run to the next. A rule the file cannot decide is a result of
``kind: "open"``; SARIF requires ``level: "none"`` for any kind but ``fail`` (SARIF 2.1.0,
§3.27.10).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from collections.abc import Sequence
from importlib import metadata
from typing import Any
from urllib.parse import quote

from cvpn_guard import __version__
from cvpn_guard.findings import EXEMPTION_EXPIRED, MAINTENANCE_WINDOW
from cvpn_guard.iac.checking import CheckResult, Verdict
from cvpn_guard.policy.document import Policy
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules import get_rule, rule_ids

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "cvpn-guard"
POLICY_DOC = "docs/policy.md"
DESCRIPTION_LIMIT = 1024  # GitHub's limit on shortDescription and fullDescription
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# Findings the policy itself makes, which no rule class stands for.
POLICY_FINDINGS = {
    EXEMPTION_EXPIRED: ("An exemption of the policy has expired.", "exemptions"),
    MAINTENANCE_WINDOW: (
        "The endpoint names a maintenance window the policy does not define.",
        "disruptive-fixes-and-maintenance-windows",
    ),
}


def render_sarif(result: CheckResult, policy: Policy, *, root: str | None = None) -> str:
    """The SARIF log of a check, indented.

    Parameters
    ----------
    result : CheckResult
        The verdicts.
    policy : Policy
        The policy applied: its active rules are the descriptors, with its severities.
    root : str | None
        What artifact URIs are relative to (default: the working directory, which in CI is
        the repository's root).
    """
    base = os.path.abspath(root or os.getcwd())
    rules = _rule_ids(result, policy)
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    severities = {config.rule_id: config.severity for config in policy.rules.active()}
    results: list[dict[str, Any]] = []
    for verdict in result.verdicts:
        results += _results(verdict, index, base)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": _home() or _docs_uri("README.md"),
                        "rules": [_descriptor(r, severities.get(r)) for r in rules],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule_ids(result: CheckResult, policy: Policy) -> list[str]:
    ids = [config.rule_id for config in policy.rules.active()]
    for verdict in result.verdicts:
        for finding in verdict.findings:
            if finding.rule not in ids:
                ids.append(finding.rule)
    return ids


def _descriptor(rule_id: str, severity: Severity | None) -> dict[str, Any]:
    if rule_id in rule_ids():
        rule = get_rule(rule_id)
        summary = rule.summary()
        body = inspect.cleandoc(rule.__doc__ or "").split("\n", 1)
        details = body[1].strip() if len(body) > 1 else ""
        tags = ["security", *(control.tag for control in rule.controls)]
        anchor = rule_id
        controls = [f"- {control.tag}: {control.title}" for control in rule.controls]
        severity = severity or rule.options.model_fields["severity"].default
    else:
        summary, anchor = POLICY_FINDINGS.get(rule_id, (rule_id, "every-rule"))
        details, tags, controls = "", ["security"], []
    level_of = Severity(severity) if severity else Severity.MEDIUM
    uri = _docs_uri(f"{POLICY_DOC}#{anchor}")
    markdown = "\n\n".join(
        part
        for part in (
            summary,
            details,
            "Controls it supports:\n" + "\n".join(controls) if controls else "",
            f"[The rule in the policy reference]({uri})",
        )
        if part
    )
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": _cut(summary)},
        "fullDescription": {"text": _cut(f"{summary} {details}".strip())},
        "help": {
            "text": "\n\n".join(p for p in (summary, details, uri) if p),
            "markdown": markdown,
        },
        "helpUri": uri,
        "defaultConfiguration": {"level": LEVEL[level_of]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[level_of],
            "precision": "very-high",
        },
    }


def _results(verdict: Verdict, index: dict[str, int], base: str) -> list[dict[str, Any]]:
    endpoint = verdict.endpoint
    uri = artifact_uri(endpoint.file, base)
    out = []
    for finding in verdict.findings:
        out.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "kind": "fail",
                "level": LEVEL[finding.severity],
                "message": {"text": finding.message},
                "locations": [_location(uri, finding.line, endpoint.name)],
                "partialFingerprints": _fingerprints(uri, endpoint.name, finding.rule),
                "properties": {"severity": str(finding.severity)},
            }
        )
    for item in verdict.unevaluated:
        result: dict[str, Any] = {
            "ruleId": item.rule,
            "kind": "open",
            "level": "none",
            "message": {"text": f"{item.rule} was not evaluated: {item.reason}"},
            "locations": [_location(uri, item.line, endpoint.name)],
            "partialFingerprints": _fingerprints(uri, endpoint.name, item.rule),
        }
        if item.rule in index:
            result["ruleIndex"] = index[item.rule]
        out.append(result)
    return out


def artifact_uri(file: str, base: str) -> str:
    """``file`` as a URI reference relative to ``base``, with forward slashes."""
    relative = os.path.relpath(os.path.abspath(file), base)
    return quote(relative.replace(os.sep, "/"), safe="/")


def _location(uri: str, line: int | None, name: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if line is not None:
        physical["region"] = {"startLine": line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": name, "kind": "resource"}],
    }


def _fingerprints(uri: str, name: str, rule_id: str) -> dict[str, str]:
    # The same rule on the same resource of the same file is the same alert, wherever its
    # line moves: the fingerprint leaves the line out.
    digest = hashlib.sha256("\0".join((uri, name, rule_id)).encode()).hexdigest()
    return {"primaryLocationLineHash": f"{digest[:16]}:1"}


def _cut(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def _pascal(rule_id: str) -> str:
    return "".join(word.capitalize() for word in rule_id.split("-"))


def _home() -> str | None:
    # The project's address, where the installed package names one (pyproject's
    # [project.urls]): documentation links are made absolute against it.
    try:
        urls: Sequence[str] = metadata.metadata("cvpn-guard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "repository", "source"):
            return url.strip().rstrip("/")
    return None


def _docs_uri(path: str) -> str:
    home = _home()
    return f"{home}/blob/main/{path}" if home else path
