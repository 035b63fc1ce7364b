"""What an evaluation found: violations, exempted violations, rules it could not check."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, JsonValue

from cvpn_guard.policy.enums import Severity

EXEMPTION_EXPIRED = "exemption-expired"
"""Rule id of the finding an expired exemption produces."""


class ComplianceStatus(StrEnum):
    """Overall verdict on one endpoint."""

    COMPLIANT = "compliant"
    NON_COMPLIANT = "non_compliant"
    EXEMPT = "exempt"
    """No violation counts, but only because exemptions spared some."""


class Finding(BaseModel):
    """One rule an endpoint breaks.

    Attributes
    ----------
    rule : str
        The rule id (``exemption-expired`` for an expired exemption).
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
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    expected: JsonValue
    actual: JsonValue
    remediable: bool
    disruptive: bool
    disruption_reason: str | None
    message: str


class ExemptedFinding(BaseModel):
    """A violation that does not count because an exemption spares it."""

    model_config = ConfigDict(frozen=True)

    finding: Finding
    exemption_reason: str
    expires: date | None


class UnevaluatedRule(BaseModel):
    """A configured rule that could not be checked (missing input), so it found nothing."""

    model_config = ConfigDict(frozen=True)

    rule: str
    reason: str
