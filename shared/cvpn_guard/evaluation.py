"""Decide what one endpoint breaks, what is spared, and the one call that fixes the rest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.findings import (
    EXEMPTION_EXPIRED,
    EndpointStatus,
    ExemptedFinding,
    Finding,
    UnevaluatedRule,
)
from cvpn_guard.fix_timing import HoldBack, window_hold
from cvpn_guard.policy.document import Policy
from cvpn_guard.policy.exemptions import Exemption
from cvpn_guard.policy_terms.enums import Mode, Severity
from cvpn_guard.remediation import EMPTY_PLAN, RemediationPlan
from cvpn_guard.rules.base import Fix, RuleConfig, RuleResult
from cvpn_guard.rules.controls import control_tags

EXPIRED_EXEMPTION_SEVERITY = Severity.MEDIUM


class Evaluation(BaseModel):
    """The verdict on one endpoint under one policy.

    Attributes
    ----------
    endpoint_id : str
        The endpoint evaluated.
    status : EndpointStatus
        ``non_compliant`` when any finding counts, else ``exempt`` when exemptions spared
        some violation, else ``compliant``.
    findings : tuple[Finding, ...]
        The violations that count (not exempted), plus one ``exemption-expired`` finding
        per expired exemption of this endpoint.
    exempted : tuple[ExemptedFinding, ...]
        Violations spared by a valid exemption.
    plan : RemediationPlan
        What enforce mode changes now; empty in report mode and for rules with
        ``remediate: false``.
    deferred : RemediationPlan
        The disruptive fixes enforce mode holds back for a later run (the endpoint's
        maintenance window is closed, too many users are connected).
    unevaluated : tuple[UnevaluatedRule, ...]
        Configured rules that could not be checked for lack of input (they found nothing).
    rules_checked : tuple[str, ...]
        Every rule evaluated (active in the policy).
    """

    model_config = ConfigDict(frozen=True)

    endpoint_id: str
    status: EndpointStatus
    findings: tuple[Finding, ...]
    exempted: tuple[ExemptedFinding, ...] = ()
    plan: RemediationPlan = EMPTY_PLAN
    deferred: RemediationPlan = EMPTY_PLAN
    unevaluated: tuple[UnevaluatedRule, ...] = ()
    rules_checked: tuple[str, ...] = ()

    @property
    def violated_rules(self) -> tuple[str, ...]:
        """The rule ids of the findings, in evaluation order."""
        return tuple(finding.rule for finding in self.findings)


def evaluate(
    state: EndpointState,
    policy: Policy,
    now: datetime,
    *,
    ignore_windows: bool = False,
    crowd: HoldBack | None = None,
) -> Evaluation:
    """Evaluate one endpoint against a policy.

    Parameters
    ----------
    state : EndpointState
        The endpoint as Describe returns it, with its authorization rules.
    policy : Policy
        The org policy.
    now : datetime
        The current time; exemptions expire by its UTC date (a naive value is taken as UTC).
        Maintenance windows are judged at this instant (it must be aware for them).
    ignore_windows : bool
        Apply disruptive fixes whatever the maintenance windows say (``--ignore-windows``).
    crowd : HoldBack | None
        Set by the guard when too many users are connected for a disruptive fix now.

    Returns
    -------
    Evaluation
        Findings, exempted findings, status and the remediation plan.
    """
    endpoint = state.endpoint
    today = _utc_date(now)
    exemptions = [
        exemption
        for exemption in policy.exemptions
        if (policy.allow_tag_exemptions or not exemption.is_tag_exemption)
        and exemption.selects(endpoint)
    ]
    valid: list[Exemption] = []
    findings: list[Finding] = []
    for exemption in exemptions:
        if exemption.is_expired(today):
            findings.append(_expired(exemption, today))
        else:
            valid.append(exemption)
    exempted: list[ExemptedFinding] = []
    unevaluated: list[UnevaluatedRule] = []
    fixes: list[tuple[str, Fix]] = []
    checked: list[str] = []
    enforce = policy.mode is Mode.ENFORCE
    timing = window_hold(
        policy.disruptive_fixes, endpoint, _aware(now), ignore_windows=ignore_windows
    )
    if timing.problem is not None:
        findings.append(timing.problem)
    hold = timing.hold or crowd
    deferred: list[tuple[str, Fix]] = []

    for config in policy.rules.active():
        rule_id = config.rule_id
        checked.append(rule_id)
        result = _judge(state, config)
        if isinstance(result, UnevaluatedRule):
            unevaluated.append(result)
            continue
        if result.compliant:
            continue
        fix = result.fix
        finding = Finding(
            rule=rule_id,
            severity=config.severity,
            expected=result.expected,
            actual=result.actual,
            remediable=fix is not None and config.remediate,
            disruptive=fix is not None and fix.disruption is not None,
            disruption_reason=fix.disruption if fix is not None else None,
            message=result.message,
            controls=control_tags(config.rule),
        )
        sparing = next((e for e in valid if e.covers(rule_id)), None)
        if sparing is not None:
            exempted.append(
                ExemptedFinding(
                    finding=finding,
                    exemption_reason=sparing.reason or sparing.describe(),
                    expires=sparing.expires,
                )
            )
            continue
        if hold is not None and finding.remediable and finding.disruptive and fix is not None:
            finding = _held(finding, hold, enforce=enforce)
            if enforce and hold.deferred:
                deferred.append((rule_id, fix))
            findings.append(finding)
            continue
        if timing.note is not None and finding.disruptive and finding.remediable and not enforce:
            finding = finding.model_copy(
                update={"message": f"{finding.message} Its fix disconnects users: {timing.note}."}
            )
        findings.append(finding)
        if enforce and finding.remediable and fix is not None:
            fixes.append((rule_id, fix))

    return Evaluation(
        endpoint_id=endpoint.endpoint_id,
        status=_status(findings, exempted),
        findings=tuple(findings),
        exempted=tuple(exempted),
        plan=RemediationPlan.from_fixes(fixes),
        deferred=RemediationPlan.from_fixes(deferred),
        unevaluated=tuple(unevaluated),
        rules_checked=tuple(checked),
    )


def _judge(state: EndpointState, config: RuleConfig) -> RuleResult | UnevaluatedRule:
    """The rule's verdict, or why it has none.

    A rule whose input could not be read (or that the source cannot have: a template holds no
    revocation list) is not checked on what was read instead: unevaluated, and not clean when
    a read failed or a value could not be resolved.
    """
    rule = config.rule
    if state.unread or state.unknown:
        inputs = rule.inputs()
        unread = state.unread_reason(inputs)
        if unread is not None:
            return UnevaluatedRule(rule=rule.id, reason=unread, read_failed=True)
        unknown = state.unknown_reason(inputs)
        if unknown is not None:
            return UnevaluatedRule(rule=rule.id, reason=unknown)
    result = rule.check(state, config)
    if result.unevaluated_reason is not None:
        return UnevaluatedRule(rule=rule.id, reason=result.unevaluated_reason)
    return result


def _held(finding: Finding, hold: HoldBack, *, enforce: bool) -> Finding:
    """The finding of a disruptive fix that is not applied now, saying why and until when."""
    if not enforce:
        # A report-only run changes nothing: it says what enforcement would do. A fix held
        # back for good is not remediable in either mode (``remediable`` ignores the mode).
        return finding.model_copy(
            update={
                "message": f"{finding.message} {hold.report_sentence()}",
                "remediable": hold.deferred,
            }
        )
    return finding.model_copy(
        update={
            "message": f"{finding.message} {hold.sentence()}",
            "held_back": hold.reason,
            "deferred_until": hold.until,
            # Held back for good (when: never, unknown window): nothing fixes it by itself.
            "remediable": hold.deferred,
        }
    )


def _aware(now: datetime) -> datetime:
    # Callers pass aware UTC instants; a naive one is UTC, as for exemptions.
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _utc_date(now: datetime) -> date:
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(UTC).date()


def _expired(exemption: Exemption, today: date) -> Finding:
    assert exemption.expires is not None  # only expiring exemptions expire
    reason = f" ({exemption.reason})" if exemption.reason else ""
    return Finding(
        rule=EXEMPTION_EXPIRED,
        severity=EXPIRED_EXEMPTION_SEVERITY,
        expected={"expires": f"on or after {today.isoformat()}"},
        actual={"exemption": exemption.describe(), "expires": exemption.expires.isoformat()},
        remediable=False,
        disruptive=False,
        disruption_reason=None,
        message=(
            f"The {exemption.describe()}{reason} expired on {exemption.expires.isoformat()}: "
            "its rules are checked again; renew it or remove it from the policy."
        ),
    )


def _status(findings: Iterable[Finding], exempted: Iterable[ExemptedFinding]) -> EndpointStatus:
    if any(True for _ in findings):
        return EndpointStatus.NON_COMPLIANT
    if any(True for _ in exempted):
        return EndpointStatus.EXEMPT
    return EndpointStatus.COMPLIANT
