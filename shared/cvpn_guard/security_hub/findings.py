"""Compliance verdicts as AWS Security Finding Format (ASFF) findings (pure: no boto3).

One finding per endpoint and rule of the policy, with a stable id (account, region, endpoint,
rule): every run updates the same finding instead of adding one, and a rule the endpoint
passes again is the same finding turned PASSED. The resource is an
``AwsEc2ClientVpnEndpoint``; Security Hub's details object predates several Client VPN
settings, so those go to ``Details.Other`` (string values, at most 50 keys).

Nearly every ASFF string is a ``NonEmptyString`` (botocore's securityhub model: pattern
``.*\\S.*``), and Security Hub refuses the whole finding over one blank value
(``FailedFindings``, ``InvalidInput``): no blank string leaves this module. A blank value of
the endpoint is dropped (an endpoint without a description has none), a blank value in
``Other`` is written as its JSON text (``""``), a blank message falls back to a sentence.

``Compliance`` carries the controls the rule serves (``Rule.controls``): the NIST SP 800-53
and PCI DSS ones in ``RelatedRequirements``, written as Security Hub's own controls write
theirs ("NIST.800-53.r5 AU-12", "PCI DSS v4.0.1/10.2.1": the "Related requirements" of each
control in the Security Hub User Guide), and the Security Hub control the rule matches in
``SecurityControlId`` (``EC2.51``). Both are members of botocore's ``Compliance`` shape
(``RelatedRequirements``: at most 32 NonEmptyStrings).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from cvpn_guard.findings import Finding
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.report import EndpointReport, ReportExemption
from cvpn_guard.rules import get_rule, rule_ids

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/cvpn-guard"
SEVERITY_LABELS = {"low": "LOW", "medium": "MEDIUM", "high": "HIGH", "critical": "CRITICAL"}
OTHER_VALUE_LIMIT = 1024  # ASFF: Details.Other values are strings of at most 1024 characters
GENERATOR_PREFIX = "cvpn-guard/"
"""Every cvpn-guard finding's GeneratorId starts so (``cvpn-guard/<rule>``)."""

# Compliance.Status values (botocore: ComplianceStatus) and Workflow.Status values
# (WorkflowStatus) cvpn-guard uses.
PASSED, FAILED, NOT_AVAILABLE = "PASSED", "FAILED", "NOT_AVAILABLE"
NEW, NOTIFIED, RESOLVED, SUPPRESSED = "NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"
ACTIVE, ARCHIVED = "ACTIVE", "ARCHIVED"  # RecordState

# AwsEc2ClientVpnEndpointDetails (botocore's securityhub model): Describe key -> ASFF key, and
# the sub-keys each nested object keeps. Anything else of the Describe item is "Other".
_DETAILS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "ClientVpnEndpointId": ("ClientVpnEndpointId", None),
    "Description": ("Description", None),
    "ClientCidrBlock": ("ClientCidrBlock", None),
    "DnsServers": ("DnsServer", None),
    "SplitTunnel": ("SplitTunnel", None),
    "TransportProtocol": ("TransportProtocol", None),
    "VpnPort": ("VpnPort", None),
    "ServerCertificateArn": ("ServerCertificateArn", None),
    "AuthenticationOptions": (
        "AuthenticationOptions",
        ("Type", "ActiveDirectory", "MutualAuthentication", "FederatedAuthentication"),
    ),
    "ConnectionLogOptions": (
        "ConnectionLogOptions",
        ("Enabled", "CloudwatchLogGroup", "CloudwatchLogStream"),
    ),
    "SecurityGroupIds": ("SecurityGroupIdSet", None),
    "VpcId": ("VpcId", None),
    "SelfServicePortalUrl": ("SelfServicePortalUrl", None),
    "ClientConnectOptions": ("ClientConnectOptions", ("Enabled", "LambdaFunctionArn", "Status")),
    "SessionTimeoutHours": ("SessionTimeoutHours", None),
    "ClientLoginBannerOptions": ("ClientLoginBannerOptions", ("Enabled", "BannerText")),
}
# Settings ASFF has no field for, which the policy cares about.
_OTHER = (
    "DisconnectOnSessionTimeout",
    "ClientRouteEnforcementOptions",
    "DevicePostureOptions",
    "EndpointIpAddressType",
    "TrafficIpAddressType",
)


# How Security Hub's controls name a requirement of each framework in RelatedRequirements
# ("NIST.800-53.r5 AC-2(12)", "PCI DSS v4.0.1/10.2.1"); the version is the one the control
# was mapped against. Security Hub controls go to SecurityControlId instead.
_REQUIREMENT_FORMS = {
    Framework.NIST_800_53: "NIST.800-53.r5 {id}",
    Framework.PCI_DSS: "PCI DSS v4.0/{id}",
}
RELATED_REQUIREMENTS_LIMIT = 32  # botocore: RelatedRequirementsList, "Maximum number of 32 items"


def rule_controls(rule: str) -> tuple[Control, ...]:
    """The controls a rule serves; none for ids no rule has (``exemption-expired``)."""
    return get_rule(rule).controls if rule in rule_ids() else ()


def compliance_controls(controls: Iterable[Control]) -> dict[str, Any]:
    """``Compliance``'s ``RelatedRequirements`` and ``SecurityControlId`` for ``controls``
    (each left out when it would be empty)."""
    controls = tuple(controls)
    related = [
        _REQUIREMENT_FORMS[c.framework].format(id=c.id)
        for c in controls
        if c.framework in _REQUIREMENT_FORMS
    ][:RELATED_REQUIREMENTS_LIMIT]
    security_hub = [c.id for c in controls if c.framework is Framework.SECURITY_HUB]
    fields: dict[str, Any] = {}
    if related:
        fields["RelatedRequirements"] = related
    if security_hub:
        fields["SecurityControlId"] = security_hub[0]  # one control per finding
    return fields


def product_arn(partition: str, region: str, account: str) -> str:
    """The account's default product: what a customer's own findings are imported under."""
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def finding_id(report: EndpointReport, rule: str) -> str:
    """Stable across runs: the same endpoint and rule always update one finding."""
    return f"cvpn-guard/{report.account}/{report.region}/{report.endpoint_id}/{rule}"


def _kept(value: Any, keys: tuple[str, ...] | None) -> Any:
    if keys is None:
        return value
    if isinstance(value, list):
        return [_kept(item, keys) for item in value]
    if isinstance(value, Mapping):
        return {key: value[key] for key in keys if key in value}
    return value


def _blank(text: str) -> bool:
    return not text.strip()


def _text(value: Any) -> str:
    """A ``Details.Other`` value: strings as they are, the rest as JSON; never blank (a blank
    string is written as its JSON text, ``""``, which is still what the endpoint has)."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = text[:OTHER_VALUE_LIMIT]
    if _blank(text):
        text = json.dumps(value, default=str)[:OTHER_VALUE_LIMIT]
    return text


_DROPPED = object()


def _without_blanks(value: Any) -> Any:
    """``value`` with every blank string left out (of mappings and lists, at any depth)."""
    if isinstance(value, Mapping):
        kept = {key: _without_blanks(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not _DROPPED}
    if isinstance(value, list):
        items = [_without_blanks(item) for item in value]
        return [item for item in items if item is not _DROPPED]
    if isinstance(value, str) and _blank(value):
        return _DROPPED
    return value


def resource_details(endpoint: Mapping[str, Any] | None, endpoint_id: str) -> dict[str, Any]:
    """ASFF ``Resources[].Details`` of an endpoint's Describe item (None: its id only)."""
    item = endpoint or {"ClientVpnEndpointId": endpoint_id}
    details = {
        asff_key: _kept(item[key], keys)
        for key, (asff_key, keys) in _DETAILS.items()
        if key in item and item[key] is not None
    }
    other = {key: _text(item[key]) for key in _OTHER if key in item}
    result: dict[str, Any] = {"AwsEc2ClientVpnEndpoint": _without_blanks(details)}
    if other:
        result["Other"] = other
    return result


def _description(
    report: EndpointReport,
    rule: str,
    violation: Finding | None,
    unevaluated: str | None,
    exemption: ReportExemption | None,
) -> str:
    if violation is not None and not _blank(violation.message):
        return violation.message
    if exemption is not None:
        until = f" until {exemption.expires.isoformat()}" if exemption.expires else ""
        why = f": {exemption.reason.strip()}" if not _blank(exemption.reason) else ""
        return (
            f"Client VPN endpoint {report.endpoint_id} breaks cvpn-guard rule {rule}, "
            f"exempted{until} by the policy{why}."
        )
    if unevaluated is not None:
        why = f": {unevaluated.strip()}" if not _blank(unevaluated) else ""
        return f"cvpn-guard could not check rule {rule} on {report.endpoint_id}{why}."
    if violation is not None:
        return f"Client VPN endpoint {report.endpoint_id} breaks cvpn-guard rule {rule}."
    return f"Client VPN endpoint {report.endpoint_id}: cvpn-guard rule {rule} passes."


def _finding(
    report: EndpointReport,
    rule: str,
    *,
    violation: Finding | None,
    compliance: str,
    workflow: str,
    details: dict[str, Any],
    partition: str,
    now: str,
    unevaluated: str | None = None,
    exemption: ReportExemption | None = None,
) -> dict[str, Any]:
    severity = SEVERITY_LABELS.get(str(violation.severity), "MEDIUM") if violation else None
    other = dict(details.get("Other", {}))
    other["cvpn-guard:rule"] = rule
    if violation is not None:
        other["cvpn-guard:expected"] = _text(violation.expected)
        other["cvpn-guard:actual"] = _text(violation.actual)
    description = _description(report, rule, violation, unevaluated, exemption)
    return {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(report, rule),
        "ProductArn": product_arn(partition, report.region, report.account),
        "GeneratorId": f"{GENERATOR_PREFIX}{rule}",
        "AwsAccountId": report.account,
        "Types": [FINDING_TYPE],
        # First seen now: an existing finding keeps its own (cvpn_guard.security_hub.lifecycle).
        "CreatedAt": now,
        "UpdatedAt": now,
        "LastObservedAt": now,
        "Severity": {"Label": severity or "INFORMATIONAL"},
        # On an existing finding, BatchImportFindings changes Severity and Types only through
        # FindingProviderFields (the top-level ones belong to BatchUpdateFindings users): a
        # finding that went from HIGH to passed must say so here too.
        "FindingProviderFields": {
            "Severity": {"Label": severity or "INFORMATIONAL"},
            "Types": [FINDING_TYPE],
        },
        "Title": f"cvpn-guard {rule}: {report.endpoint_id}"[:256],
        "Description": description[:1024],
        "ProductFields": {"cvpn-guard/status": str(report.status)},
        "Resources": [
            {
                "Type": "AwsEc2ClientVpnEndpoint",
                "Id": endpoint_arn(partition, report.region, report.account, report.endpoint_id),
                "Partition": partition,
                "Region": report.region,
                "Details": {**details, "Other": other},
            }
        ],
        "Compliance": {"Status": compliance, **compliance_controls(rule_controls(rule))},
        "RecordState": ACTIVE,
        # Taken by Security Hub for a new finding only: BatchImportFindings ignores Workflow on
        # an existing one, which BatchUpdateFindings moves (cvpn_guard.security_hub.lifecycle).
        "Workflow": {"Status": workflow},
    }


def endpoint_arn(partition: str, region: str, account: str, endpoint_id: str) -> str:
    """The finding's resource id (Resources[].Id): the endpoint's ARN."""
    return f"arn:{partition}:ec2:{region}:{account}:client-vpn-endpoint/{endpoint_id}"


def asff_findings(
    report: EndpointReport,
    *,
    rules_checked: Iterable[str],
    endpoint: Mapping[str, Any] | None,
    partition: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """One finding per rule: FAILED (NEW) while broken, PASSED (RESOLVED) when the endpoint
    complies or cvpn-guard fixed it, FAILED (SUPPRESSED) while an exemption covers it, and
    NOT_AVAILABLE (NEW) when the rule could not be checked: finding nothing is not passing."""
    details = resource_details(endpoint, report.endpoint_id)
    stamp = now.isoformat().replace("+00:00", "Z")
    violations = {f.rule: f for f in report.findings if f.rule not in report.fixed_rules}
    exempted = {e.rule: e for e in report.exempted}
    unevaluated = {u.rule: u.reason for u in report.unevaluated}
    rules = list(dict.fromkeys([*rules_checked, *(f.rule for f in report.findings), *exempted]))
    findings = []
    for rule in rules:
        if rule in violations:
            compliance, workflow = FAILED, NEW
        elif rule in exempted:
            compliance, workflow = FAILED, SUPPRESSED
        elif rule in unevaluated:
            # NOT_AVAILABLE: "Check could not be performed" (ASFF Compliance.Status); NEW, as
            # Security Hub itself reopens a finding that turns NOT_AVAILABLE (Workflow.Status).
            compliance, workflow = NOT_AVAILABLE, NEW
        else:
            compliance, workflow = PASSED, RESOLVED
        findings.append(
            _finding(
                report,
                rule,
                violation=violations.get(rule),
                compliance=compliance,
                workflow=workflow,
                details=details,
                partition=partition,
                now=stamp,
                unevaluated=unevaluated[rule] if compliance == NOT_AVAILABLE else None,
                exemption=exempted.get(rule) if workflow == SUPPRESSED else None,
            )
        )
    return findings
