"""Which ModifyClientVpnEndpoint parameter a refusal is about, and the fix without it.

AWS refuses a Modify as a whole: one parameter it cannot use (a log group that does not exist,
a banner it rejects) leaves every other parameter of the request unapplied too. When the
refusal names exactly one of the parameters sent, the guard sends the others again without
it (and without the rest of the fix of the rules that sent it: a fix is applied whole or not
at all), so that one refused setting never keeps the others out of policy.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache

from cvpn_guard.evaluation import Evaluation
from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.remediation import RemediationPlan
from cvpn_guard.rules import get_rule

MODIFY = "ModifyClientVpnEndpoint"

PARAMETER_CODES = frozenset(
    {"InvalidParameterValue", "InvalidParameter", "InvalidParameterCombination", "MissingParameter"}
)
"""Codes of a refusal about the request's values, which its message says more about."""

IMPLIED_BY_CODE: Mapping[str, str] = {
    # EC2 names the unknown resource in the code; the message only repeats its id.
    "InvalidGroup.NotFound": "SecurityGroupIds",
    "InvalidVpcID.NotFound": "VpcId",
}
"""Codes that are about one parameter whatever their message says."""

NAMED_BY: Mapping[str, tuple[str, ...]] = {
    "ServerCertificateArn": ("ServerCertificateArn", "server certificate"),
    "ConnectionLogOptions": (
        "ConnectionLogOptions",
        "CloudwatchLogGroup",
        "CloudwatchLogStream",
        "IncludeAuthorizationPolicyContext",
        "log group",
        "log stream",
        "connection log",
        "connection logging",
        "CloudWatch Logs",
    ),
    "DnsServers": ("DnsServers", "CustomDnsServers", "DNS server"),
    "VpnPort": ("VpnPort", "VPN port"),
    "Description": ("Description",),
    "SplitTunnel": ("SplitTunnel", "split tunnel", "split-tunnel"),
    "SecurityGroupIds": ("SecurityGroupIds", "security group"),
    "VpcId": ("VpcId", "VPC ID", "VPC"),
    "SelfServicePortal": ("SelfServicePortal", "self-service portal", "self service portal"),
    "ClientConnectOptions": (
        "ClientConnectOptions",
        "LambdaFunctionArn",
        "client connect",
        "Lambda function",
    ),
    "SessionTimeoutHours": ("SessionTimeoutHours", "session timeout"),
    "ClientLoginBannerOptions": ("ClientLoginBannerOptions", "BannerText", "banner"),
    "ClientRouteEnforcementOptions": ("ClientRouteEnforcementOptions", "route enforcement"),
    "DisconnectOnSessionTimeout": (
        "DisconnectOnSessionTimeout",
        "disconnect on session timeout",
    ),
    "TransitGatewayConfiguration": (
        "TransitGatewayConfiguration",
        "TransitGatewayId",
        "AvailabilityZones",
        "AvailabilityZoneIds",
        "transit gateway",
    ),
    "DevicePostureOptions": (
        "DevicePostureOptions",
        "TrustProviders",
        "device posture",
        "trust provider",
    ),
}
"""Each Modify parameter -> the words that name it in a message: its own name, its members'
names (but the generic ``Enabled`` and ``Enforced``) and how AWS's prose calls it."""


@cache
def _term_pattern() -> re.Pattern[str]:
    # Longest terms first: "disconnect on session timeout" must not count as "session
    # timeout", "VPC ID" not as "VPC". A term stands alone (an optional plural "s" aside):
    # "banner" is not found inside "ClientLoginBannerOptions".
    terms = sorted({term for names in NAMED_BY.values() for term in names}, key=len, reverse=True)
    alternatives = "|".join(re.escape(term) for term in terms)
    return re.compile(rf"(?<![A-Za-z0-9])({alternatives})s?(?![A-Za-z0-9])", re.IGNORECASE)


@cache
def _parameter_of_term() -> Mapping[str, str]:
    return {term.lower(): parameter for parameter, names in NAMED_BY.items() for term in names}


def named_parameters(message: str) -> frozenset[str]:
    """Every Modify parameter ``message`` names (by its name, a member's or AWS's words)."""
    parameter_of = _parameter_of_term()
    return frozenset(parameter_of[found.lower()] for found in _term_pattern().findall(message))


def refused_parameter(error: AwsCallError, parameters: Collection[str]) -> str | None:
    """The one parameter of ``parameters`` (those the refused request sent) that ``error`` is
    about, or None when it names none of them, several, or is not about a value at all
    (throttling, no permission: every parameter would fail alike)."""
    if error.code in IMPLIED_BY_CODE:
        implied = IMPLIED_BY_CODE[error.code]
        return implied if implied in parameters else None
    if error.code not in PARAMETER_CODES:
        return None
    named = named_parameters(error.message) & set(parameters)
    return next(iter(named)) if len(named) == 1 else None


@dataclass(frozen=True, slots=True)
class RefusedParameter:
    """A Modify AWS refused for one parameter: the rules whose fix sent it, and the plan of
    every other fix, to be applied without them."""

    parameter: str
    refusal: AwsCallError
    failed_rules: tuple[str, ...]
    rest: RemediationPlan

    @property
    def fix_error(self) -> str:
        """What the findings of ``failed_rules`` say: the parameter and AWS's answer."""
        return f"{MODIFY} refused {self.parameter}: {self.refusal.code}: {self.refusal.message}"

    @property
    def error(self) -> AwsCallError:
        """The endpoint's error: the fix is incomplete, and why."""
        return AwsCallError(
            MODIFY,
            self.refusal.code,
            f"{self.parameter} was refused ({self.refusal.message}); the other fixes were "
            f"sent again without it: {', '.join(self.rest.rules)}",
        )

    def marked(self, evaluation: Evaluation) -> Evaluation:
        """``evaluation`` with each finding of ``failed_rules`` saying why it is not fixed."""
        findings = tuple(
            finding.model_copy(update={"fix_error": self.fix_error})
            if finding.rule in self.failed_rules
            else finding
            for finding in evaluation.findings
        )
        return evaluation.model_copy(update={"findings": findings})

    def refused_again(self, second: AwsCallError) -> AwsCallError:
        """The endpoint's error when the request without the parameter is refused too."""
        return AwsCallError(
            MODIFY,
            self.refusal.code,
            f"{self.refusal.message} (sent again without {self.parameter}: {second.code}: "
            f"{second.message})",
        )


def without_refused(refusal: AwsCallError, plan: RemediationPlan) -> RefusedParameter | None:
    """Split ``plan`` around the one parameter ``refusal`` is about; None when the refusal
    names no single parameter, or no other parameter would be left to send."""
    parameter = refused_parameter(refusal, plan.parameters)
    if parameter is None:
        return None
    failed = tuple(rule for rule in plan.rules if parameter in get_rule(rule).modifies)
    dropped = {sent for rule in failed for sent in get_rule(rule).modifies}
    rest = {name: value for name, value in plan.parameters.items() if name not in dropped}
    if not failed or not rest:
        return None
    # The other calls stay: they belong to rules that send no Modify parameter (revoke a
    # grant, delete a route, leave shadow mode). The disruption reasons stay as well: users
    # were counted for the plan as decided.
    remaining = plan.model_copy(
        update={"parameters": rest, "rules": tuple(r for r in plan.rules if r not in failed)}
    )
    return RefusedParameter(parameter, refusal, failed, remaining)
