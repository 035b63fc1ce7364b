"""ASFF findings of a verdict: one per rule, stable ids, valid against botocore's model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from cvpn_emulator.security_hub.validation import blank_string_problem
from cvpn_guard.findings import EndpointStatus, Finding, UnevaluatedRule
from cvpn_guard.policy_terms.controls import Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.report import EndpointReport, ReportExemption
from cvpn_guard.rules import get_rule
from cvpn_guard.security_hub.findings import asff_findings

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ENDPOINT = "cvpn-endpoint-0d2c4e6f8a0b1c3d5"
DESCRIBED: dict[str, Any] = {
    "ClientVpnEndpointId": ENDPOINT,
    "ClientCidrBlock": "10.100.0.0/22",
    "DnsServers": ["10.0.0.2"],
    "SecurityGroupIds": ["sg-0123456789abcdef0"],
    "VpcId": "vpc-0123456789abcdef0",
    "SplitTunnel": False,
    "TransportProtocol": "udp",
    "VpnPort": 443,
    "SessionTimeoutHours": 24,
    "ConnectionLogOptions": {"Enabled": False},
    "AuthenticationOptions": [
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:::cert"},
        }
    ],
    "ClientLoginBannerOptions": {"Enabled": False},
    "DisconnectOnSessionTimeout": False,
    "ClientRouteEnforcementOptions": {"Enforced": False},
    "EndpointIpAddressType": "ipv4",
    "TrafficIpAddressType": "ipv4",
    "Status": {"Code": "available"},
    "CreationTime": "2026-11-30T10:00:00",
}


def _finding(rule: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        expected=True,
        actual=False,
        remediable=True,
        disruptive=False,
        message=f"{rule} is broken",
    )


def _report(**overrides: Any) -> EndpointReport:
    fields: dict[str, Any] = {
        "endpoint_id": ENDPOINT,
        "account": "210987654321",
        "region": "eu-west-1",
        "status": EndpointStatus.NON_COMPLIANT,
        "findings": (_finding("disconnect-on-session-timeout"), _finding("connection-logging")),
    }
    return EndpointReport(**{**fields, **overrides})


RULES = ["disconnect-on-session-timeout", "connection-logging", "session-timeout", "login-banner"]


def _by_rule(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["Resources"][0]["Details"]["Other"]["cvpn-guard:rule"]: f for f in findings}


def test_every_rule_is_one_finding_failed_or_passed() -> None:
    findings = _by_rule(
        asff_findings(_report(), rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW)
    )
    assert set(findings) == set(RULES)
    broken = findings["disconnect-on-session-timeout"]
    assert broken["Compliance"]["Status"] == "FAILED"
    assert broken["Workflow"] == {"Status": "NEW"}
    assert broken["Severity"] == {"Label": "HIGH"}
    assert broken["AwsAccountId"] == "210987654321"
    assert broken["ProductArn"] == (
        "arn:aws:securityhub:eu-west-1:210987654321:product/210987654321/default"
    )
    passing = findings["session-timeout"]
    assert passing["Compliance"]["Status"] == "PASSED"
    assert passing["Workflow"] == {"Status": "RESOLVED"}


def test_severity_and_types_also_travel_in_finding_provider_fields() -> None:
    # Given a rule broken in one run and passing in the next
    broken = _by_rule(
        asff_findings(_report(), rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW)
    )["disconnect-on-session-timeout"]
    passed = _by_rule(
        asff_findings(
            _report(status=EndpointStatus.COMPLIANT, findings=()),
            rules_checked=RULES,
            endpoint=DESCRIBED,
            partition="aws",
            now=NOW,
        )
    )["disconnect-on-session-timeout"]

    # Then each import carries its severity where BatchImportFindings may update an existing
    # finding's: FindingProviderFields (AWS: finding providers use it to update Severity, Types)
    assert broken["FindingProviderFields"] == {
        "Severity": {"Label": "HIGH"},
        "Types": broken["Types"],
    }
    assert passed["FindingProviderFields"]["Severity"] == {"Label": "INFORMATIONAL"}


def test_ids_are_stable_across_runs_and_unique_per_rule() -> None:
    first = asff_findings(
        _report(), rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW
    )
    fixed = _report(
        status=EndpointStatus.REMEDIATED, fixed_rules=("disconnect-on-session-timeout",)
    )
    later = asff_findings(fixed, rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW)
    assert [f["Id"] for f in first] == [f["Id"] for f in later]
    assert len({f["Id"] for f in first}) == len(RULES)
    assert first[0]["Id"] == (
        f"cvpn-guard/210987654321/eu-west-1/{ENDPOINT}/disconnect-on-session-timeout"
    )
    # And a fixed rule is PASSED (resolved) while what was not fixed stays FAILED
    by_rule = _by_rule(later)
    assert by_rule["disconnect-on-session-timeout"]["Compliance"]["Status"] == "PASSED"
    assert by_rule["connection-logging"]["Compliance"]["Status"] == "FAILED"


def test_exempted_rules_are_suppressed() -> None:
    report = _report(
        status=EndpointStatus.EXEMPT,
        findings=(),
        exempted=(ReportExemption(rule="login-banner", reason="legacy clients"),),
    )
    finding = _by_rule(
        asff_findings(report, rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW)
    )["login-banner"]
    assert finding["Compliance"]["Status"] == "FAILED"
    assert finding["Workflow"]["Status"] == "SUPPRESSED"
    # And it says why
    assert finding["Description"] == (
        f"Client VPN endpoint {ENDPOINT} breaks cvpn-guard rule login-banner, exempted by the "
        "policy: legacy clients."
    )


def test_the_resource_is_the_client_vpn_endpoint_with_its_details_and_the_rest_in_other() -> None:
    (finding, *_) = asff_findings(
        _report(), rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW
    )
    (resource,) = finding["Resources"]
    assert resource["Type"] == "AwsEc2ClientVpnEndpoint"
    assert resource["Id"] == f"arn:aws:ec2:eu-west-1:210987654321:client-vpn-endpoint/{ENDPOINT}"
    details = resource["Details"]["AwsEc2ClientVpnEndpoint"]
    assert details["DnsServer"] == ["10.0.0.2"]
    assert details["SecurityGroupIdSet"] == ["sg-0123456789abcdef0"]
    assert "Status" not in details
    assert "CreationTime" not in details
    other = resource["Details"]["Other"]
    assert other["DisconnectOnSessionTimeout"] == "false"
    assert other["ClientRouteEnforcementOptions"] == '{"Enforced": false}'
    assert other["EndpointIpAddressType"] == "ipv4"
    assert other["TrafficIpAddressType"] == "ipv4"
    assert other["cvpn-guard:expected"] == "true"


@pytest.mark.parametrize("endpoint", [DESCRIBED, None])
def test_findings_are_valid_batch_import_findings_input(endpoint: dict[str, Any] | None) -> None:
    # Given botocore's model of BatchImportFindings (what the SDK would send)
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    findings = asff_findings(
        _report(), rules_checked=RULES, endpoint=endpoint, partition="aws", now=NOW
    )

    # Then the request validates: names and types match ASFF exactly
    report = ParamValidator().validate({"Findings": findings}, shape)
    assert not report.has_errors(), report.generate_report()


def test_a_rule_that_could_not_be_checked_is_not_available_not_passed() -> None:
    # Given a verdict whose security-groups rule could not be checked
    report = _report(
        unevaluated=(
            UnevaluatedRule(
                rule="security-groups",
                reason="the default security group of the endpoint's VPC is unknown",
            ),
        )
    )

    # When it becomes findings
    findings = _by_rule(
        asff_findings(
            report,
            rules_checked=[*RULES, "security-groups"],
            endpoint=DESCRIBED,
            partition="aws",
            now=NOW,
        )
    )

    # Then that rule is NOT_AVAILABLE ("Check could not be performed", ASFF Compliance.Status)
    # and says why; it is open (NEW) rather than resolved, and the other rules are unchanged
    unchecked = findings["security-groups"]
    assert unchecked["Compliance"]["Status"] == "NOT_AVAILABLE"
    assert unchecked["Workflow"] == {"Status": "NEW"}
    assert "could not check rule security-groups" in unchecked["Description"]
    assert "default security group of the endpoint's VPC is unknown" in unchecked["Description"]
    assert findings["session-timeout"]["Compliance"]["Status"] == "PASSED"


def test_no_blank_string_is_sent_and_blank_values_stay_true() -> None:
    # Given an endpoint whose Describe item has blank strings (a Description of "", a blank
    # DNS server and log group) and a violation with a blank message and blank values
    endpoint = {
        **DESCRIBED,
        "Description": "",
        "DnsServers": ["10.0.0.2", " "],
        "ConnectionLogOptions": {"Enabled": False, "CloudwatchLogGroup": ""},
        "DisconnectOnSessionTimeout": "",
    }
    blank = Finding(
        rule="login-banner",
        severity=Severity.LOW,
        expected="",
        actual="   ",
        remediable=False,
        disruptive=False,
        message=" ",
    )
    report = _report(findings=(blank,))

    # When it becomes findings
    findings = asff_findings(
        report, rules_checked=RULES, endpoint=endpoint, partition="aws", now=NOW
    )

    # Then no NonEmptyString of botocore's AwsSecurityFinding model is blank (Security Hub
    # refuses such a finding in FailedFindings)
    assert [blank_string_problem(finding) for finding in findings] == [None] * len(findings)
    # And what was blank is left out or written as its JSON text, never invented
    finding = _by_rule(findings)["login-banner"]
    details = finding["Resources"][0]["Details"]
    assert "Description" not in details["AwsEc2ClientVpnEndpoint"]
    assert details["AwsEc2ClientVpnEndpoint"]["DnsServer"] == ["10.0.0.2"]
    assert details["AwsEc2ClientVpnEndpoint"]["ConnectionLogOptions"] == {"Enabled": False}
    assert details["Other"]["DisconnectOnSessionTimeout"] == '""'
    assert details["Other"]["cvpn-guard:expected"] == '""'
    assert details["Other"]["cvpn-guard:actual"] == '"   "'
    assert finding["Description"] == (
        f"Client VPN endpoint {ENDPOINT} breaks cvpn-guard rule login-banner."
    )


def test_compliance_names_the_rules_controls_as_security_hub_writes_them() -> None:
    # Given connection logging, which serves NIST AU-2/AU-12/AC-17(1), PCI DSS 10.2.1 and the
    # Security Hub control EC2.51, and session timeout, which serves NIST controls only
    findings = _by_rule(
        asff_findings(_report(), rules_checked=RULES, endpoint=DESCRIBED, partition="aws", now=NOW)
    )
    logging = findings["connection-logging"]["Compliance"]
    timeout = findings["session-timeout"]["Compliance"]
    # Then RelatedRequirements writes each as Security Hub's controls do ("NIST.800-53.r5
    # AU-12", "PCI DSS v4.0.1/10.2.1" with our version), whether the rule passes or fails
    expected = [
        "NIST.800-53.r5 " + c.id if c.framework is Framework.NIST_800_53 else f"PCI DSS v4.0/{c.id}"
        for c in get_rule("connection-logging").controls
        if c.framework is not Framework.SECURITY_HUB
    ]
    assert logging["RelatedRequirements"] == expected
    assert "NIST.800-53.r5 AU-12" in expected
    assert "PCI DSS v4.0/10.2.1" in expected
    assert timeout["RelatedRequirements"] == [
        f"NIST.800-53.r5 {c.id}" for c in get_rule("session-timeout").controls
    ]
    # And the Security Hub control is the SecurityControlId, only where the rule has one
    assert logging["SecurityControlId"] == "EC2.51"
    assert "SecurityControlId" not in timeout


def test_the_compliance_keys_are_botocores() -> None:
    # Given botocore's securityhub model of a finding's Compliance
    shape = botocore.session.get_session().get_service_model("securityhub").shape_for("Compliance")
    # When a finding of a rule with every kind of control is made
    (finding,) = asff_findings(
        _report(findings=(_finding("connection-logging"),)),
        rules_checked=["connection-logging"],
        endpoint=DESCRIBED,
        partition="aws",
        now=NOW,
    )
    # Then each Compliance key is a member of that shape, and no blank string is sent
    assert set(finding["Compliance"]) <= set(shape.members)
    assert {"RelatedRequirements", "SecurityControlId"} <= set(finding["Compliance"])
    assert blank_string_problem(finding) is None


def test_a_finding_of_no_rule_names_no_controls() -> None:
    # Given an expired exemption's finding (its rule id is no rule's)
    report = _report(findings=(_finding("exemption-expired"),))
    # When it becomes findings
    (finding,) = asff_findings(
        report, rules_checked=[], endpoint=DESCRIBED, partition="aws", now=NOW
    )
    # Then its Compliance has its status only
    assert finding["Compliance"] == {"Status": "FAILED"}
