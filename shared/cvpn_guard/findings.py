"""What an evaluation found: violations, exempted violations, rules it could not check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_serializer

from cvpn_guard.policy_terms.enums import Severity

EXEMPTION_EXPIRED = "exemption-expired"
"""Rule id of the finding an expired exemption produces."""
MAINTENANCE_WINDOW = "maintenance-window"
"""Rule id of the finding for an endpoint whose maintenance window the policy does not define."""


class EndpointStatus(StrEnum):
    """Where an endpoint stands: the evaluation's verdict, then what remediation made of it.

    An evaluation ends ``compliant``, ``non_compliant`` or ``exempt``; enforcement may turn a
    ``non_compliant`` endpoint into ``remediated``, ``remediation_failed`` or ``deferred``.
    Reports, notices, CSV rows and metrics all speak this one vocabulary.
    """

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    REMEDIATED = "remediated"
    REMEDIATION_FAILED = "remediation_failed"
    EXEMPT = "exempt"
    """No violation counts, but only because exemptions spared some."""
    DEFERRED = "deferred"
    """What could be fixed now was fixed; a disruptive fix waits for the endpoint's maintenance
    window (or for fewer connected users): its findings say until when."""


class Finding(BaseModel):
    """One rule an endpoint breaks.

    Attributes
    ----------
    rule : str
        The rule id (``exemption-expired`` for an expired exemption, ``maintenance-window``
        for an endpoint whose maintenance window the policy does not define).
    severity : Severity
        From the policy (or the rule's default).
    expected, actual : JsonValue
        What the policy wants and what the endpoint has, in Describe's spelling.
    remediable : bool
        Whether cvpn-guard fixes it in enforce mode: the rule has a fix for this endpoint
        and the policy allows it (``remediate``).
    disruptive : bool
        Whether the rule's fix drops or resets user sessions (told even when the fix is
        switched off, so that the reader knows why).
    disruption_reason : str | None
        What the fix would do to users, when disruptive.
    message : str
        One readable sentence.
    deferred_until : datetime | None
        Set when a remediating run held this disruptive fix back: the start of the
        endpoint's next maintenance window, in the window's time zone (ISO 8601 with its UTC
        offset). None for a fix held back until fewer users are connected.
    held_back : str | None
        Why a remediating run did not apply this disruptive fix now (outside the maintenance
        window, too many users connected, an unknown window, ``when: never``).
    fix_error : str | None
        Why its fix was not applied although the others were: the ModifyClientVpnEndpoint
        parameter AWS refused, AWS's code and message. None when the fix was applied, or
        when the whole remediation failed (then the endpoint's ``error`` says why).
    controls : tuple[str, ...]
        The compliance controls the rule serves, as tags (``nist-800-53/AC-12``,
        ``pci-dss/10.2.1``, ``security-hub/EC2.51``); empty for the findings of expired
        exemptions and undefined windows, which belong to no rule.
    """

    # The same model travels from the evaluation into reports, notices and CSV: no copies.
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    severity: Severity
    expected: JsonValue
    actual: JsonValue
    remediable: bool
    disruptive: bool
    disruption_reason: str | None = None
    message: str = ""
    deferred_until: datetime | None = None
    held_back: str | None = None
    fix_error: str | None = None
    controls: tuple[str, ...] = Field(
        default=(),
        description="The compliance controls the rule serves, as framework/id tags "
        "(nist-800-53/AC-12, pci-dss/10.2.1, security-hub/EC2.51): docs/policy.md cites each.",
    )

    @field_serializer("deferred_until", when_used="json")
    def _with_offset(self, value: datetime | None) -> str | None:
        # As the text says it: the window's own offset, "+00:00" rather than pydantic's "Z".
        return None if value is None else value.isoformat()


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among ``findings`` (None when there are none)."""
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)


class ExemptedFinding(BaseModel):
    """A violation that does not count because an exemption spares it."""

    model_config = ConfigDict(frozen=True)

    finding: Finding
    exemption_reason: str
    expires: date | None


class UnevaluatedRule(BaseModel):
    """A configured rule that could not be checked (missing input), so it found nothing."""

    # Travels in reports too (EndpointReport.unevaluated): as strict as Finding.
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    reason: str
    read_failed: bool = False
    """True when AWS refused or throttled the read the rule needs (the reason names the call):
    the rule may well be broken, so the report is not clean. False when the endpoint simply
    has nothing to check (e.g. no VPC)."""
