"""Judge declared endpoints by the enforcer's rules and policy, and say where each problem is
written.

Each endpoint goes through :func:`cvpn_guard.evaluation.evaluate`, the very code the enforcer
and the sweeper run, in report mode (a file is never changed). What comes back is placed: a
finding on the line of the property its rule reads (else the resource's), and, where the file
leaves that property to a default, the advice to set it explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cvpn_guard.evaluation import Evaluation, evaluate
from cvpn_guard.findings import EndpointStatus, ExemptedFinding, Finding
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceKind
from cvpn_guard.policy.document import Policy
from cvpn_guard.policy_terms.enums import Mode, Severity
from cvpn_guard.rules import get_rule, rule_ids

DISCONNECT_ON_SESSION_TIMEOUT = "DisconnectOnSessionTimeout"
DEFAULT_CHANGED = {
    # botocore's EC2 model (1.44.8, CreateClientVpnEndpoint) says "The default value is true";
    # the AWS provider's page for aws_ec2_client_vpn_endpoint still documents false, the API's
    # default when the field came (botocore 1.35.98), and endpoints made then carry false.
    DISCONNECT_ON_SESSION_TIMEOUT: (
        "changed over time (false when the field was added, true in the EC2 API reference "
        "now): what an endpoint gets depends on when and by what it was created"
    ),
}
_LEFT_OUT_BY = {
    SourceKind.CLOUDFORMATION: "The template",
    SourceKind.TERRAFORM_PLAN: "The plan",
    SourceKind.TERRAFORM: "The configuration",
    SourceKind.ESTATE: "The saved estate",
}


@dataclass(frozen=True)
class PlacedFinding:
    """A violation, where the file writes it."""

    finding: Finding
    line: int | None
    message: str
    """The rule's message, and the advice to set a defaulted property explicitly."""

    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def severity(self) -> Severity:
        return self.finding.severity


@dataclass(frozen=True)
class PlacedUnevaluated:
    """A configured rule the file cannot decide, and why."""

    rule: str
    reason: str
    """The expression the file does not resolve, or the live data a file cannot hold."""
    line: int | None
    unresolved: bool
    """True for a value the file does not resolve (the endpoint is not clean then); False for
    live-only data (connected users, the revocation list): not the file's fault."""


@dataclass(frozen=True)
class Note:
    """Advice that is no violation (a default that satisfies the policy today)."""

    rule: str
    line: int | None
    message: str


@dataclass(frozen=True)
class Verdict:
    """One declared endpoint, judged."""

    endpoint: DeclaredEndpoint
    evaluation: Evaluation
    findings: tuple[PlacedFinding, ...]
    unevaluated: tuple[PlacedUnevaluated, ...]
    notes: tuple[Note, ...]

    @property
    def status(self) -> EndpointStatus:
        return self.evaluation.status

    @property
    def exempted(self) -> tuple[ExemptedFinding, ...]:
        return self.evaluation.exempted

    @property
    def rules_checked(self) -> tuple[str, ...]:
        return self.evaluation.rules_checked

    @property
    def clean(self) -> bool:
        """No finding and no rule left undecided by an unresolved value."""
        return not self.findings and not any(u.unresolved for u in self.unevaluated)


@dataclass(frozen=True)
class CheckResult:
    """Every verdict of one ``cvpn-guard check`` run."""

    verdicts: tuple[Verdict, ...]
    files: tuple[str, ...]
    """Every file read, including those that declare no endpoint."""

    @property
    def clean(self) -> bool:
        return all(verdict.clean for verdict in self.verdicts)


def check_endpoint(declared: DeclaredEndpoint, policy: Policy, now: datetime) -> Verdict:
    """Judge one declared endpoint, as report mode judges a live one.

    Parameters
    ----------
    declared : DeclaredEndpoint
        What a reader made of the file.
    policy : Policy
        The policy (its mode is ignored: a check never changes anything).
    now : datetime
        The instant exemptions expire by.

    Returns
    -------
    Verdict
        The findings with their lines and advice, the rules not evaluated and why, the notes.
    """
    evaluation = evaluate(declared.state(), policy.with_mode(Mode.REPORT), now)
    findings = tuple(_placed(declared, finding) for finding in evaluation.findings)
    unevaluated = tuple(
        PlacedUnevaluated(
            rule=item.rule,
            reason=_unevaluated_reason(declared, item.rule, item.reason),
            line=declared.line_of(_reads(item.rule)),
            unresolved=item.read_failed,
        )
        for item in evaluation.unevaluated
    )
    return Verdict(
        endpoint=declared,
        evaluation=evaluation,
        findings=findings,
        unevaluated=unevaluated,
        notes=_notes(declared, evaluation),
    )


def check_all(
    endpoints: Iterable[DeclaredEndpoint], policy: Policy, now: datetime, files: Sequence[str]
) -> CheckResult:
    """Judge every endpoint (:func:`check_endpoint`)."""
    return CheckResult(
        verdicts=tuple(check_endpoint(declared, policy, now) for declared in endpoints),
        files=tuple(files),
    )


def _reads(rule_id: str) -> tuple[str, ...]:
    # Findings of the policy itself (an expired exemption, a maintenance window) have no rule.
    if rule_id not in rule_ids():
        return ()
    return tuple(get_rule(rule_id).reads)


def _placed(declared: DeclaredEndpoint, finding: Finding) -> PlacedFinding:
    reads = _reads(finding.rule)
    message = finding.message
    for name in reads:
        if name in declared.defaulted:
            message = f"{message} {_left_out(declared, name, finding.rule)}: set it explicitly."
            break
    return PlacedFinding(finding=finding, line=declared.line_of(reads), message=message)


def _left_out(declared: DeclaredEndpoint, name: str, rule_id: str) -> str:
    """ "The template leaves X out, so it takes V, <where the default comes from>"."""
    who = _LEFT_OUT_BY.get(declared.kind, "The file")
    source = declared.defaulted[name]
    # A property Describe shows under another name (SelfServicePortal as SelfServicePortalUrl)
    # is named as the file writes it, and its Describe value says nothing to the reader.
    written = {shown: given for given, shown in get_rule(rule_id).described_as.items()}
    if name in written:
        return f"{who} leaves {written[name]} out, so it takes {source}"
    value = declared.describe.get(name)
    shown = "nothing" if value is None else json.dumps(value, ensure_ascii=False)
    return f"{who} leaves {name} out, so it takes {shown}, {source}"


def _unevaluated_reason(declared: DeclaredEndpoint, rule_id: str, reason: str) -> str:
    # Name the property with its expression: "SessionTimeoutHours is !Ref Hours" says more
    # than the expression alone.
    fields = [name for name in _reads(rule_id) if name in declared.unresolved]
    if fields:
        return "; ".join(
            f"{name} is {declared.unresolved[name]}, which the file does not resolve"
            for name in fields
        )
    return reason


def _notes(declared: DeclaredEndpoint, evaluation: Evaluation) -> tuple[Note, ...]:
    notes = []
    undecided = {item.rule for item in evaluation.unevaluated} | set(evaluation.violated_rules)
    for rule_id in evaluation.rules_checked:
        if rule_id in undecided:
            continue
        for name in _reads(rule_id):
            if name in declared.defaulted and name in DEFAULT_CHANGED:
                notes.append(
                    Note(
                        rule=rule_id,
                        line=declared.line_of((name,)),
                        message=(
                            f"{_left_out(declared, name, rule_id)}. Its documented default "
                            f"{DEFAULT_CHANGED[name]}. The policy is met today; set {name} "
                            "explicitly so that it stays met."
                        ),
                    )
                )
    return tuple(notes)
