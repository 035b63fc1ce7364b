"""authentication: how users prove who they are."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.policy_terms.values import unique
from cvpn_guard.rules.base import PASSED, ReportOnly, Rule, RuleResult

AuthenticationType = Literal[
    "certificate-authentication", "directory-service-authentication", "federated-authentication"
]


class AuthenticationConfig(ReportOnly):
    report_only_because = "AWS cannot change the authentication options of an endpoint"
    severity: Severity = Severity.HIGH
    allowed_types: Annotated[
        tuple[AuthenticationType, ...], Field(min_length=1), AfterValidator(unique)
    ] = Field(
        description="a non-empty list of certificate-authentication, "
        "directory-service-authentication, federated-authentication"
    )


class Authentication(Rule[AuthenticationConfig]):
    """Every authentication option must be of an allowed type (report only: it is immutable).

    - Compliant when the endpoint reports at least one authentication option and **every** one
      is allowed (an endpoint with mutual TLS and SAML needs both allowed). A type AWS adds later
      is not allowed until the policy lists it.
    - **Report only**: AWS cannot modify authentication options. `remediate: true` is rejected.

    Controls: NIST SP 800-53 Rev. 5: IA-2 (Identification and Authentication (Organizational
    Users): "Uniquely identify and authenticate organizational users"; the allowed types are
    those the organization accepts for it) and AC-17 (Remote Access: "Establish and document
    usage restrictions, configuration/connection requirements, and implementation guidance for
    each type of remote access allowed", 17a).
    """

    id = "authentication"
    reads = ("AuthenticationOptions",)
    options = AuthenticationConfig
    order = 110
    controls = (
        Control(
            Framework.NIST_800_53,
            "IA-2",
            "Identification and Authentication (Organizational Users)",
        ),
        Control(Framework.NIST_800_53, "AC-17", "Remote Access"),
    )
    fixable = False
    example = {"allowed_types": ["federated-authentication"]}

    @classmethod
    def check(cls, state: EndpointState, options: AuthenticationConfig) -> RuleResult:
        types = [option.type for option in state.endpoint.authentication_options or ()]
        if types and all(kind in options.allowed_types for kind in types):
            return PASSED
        if not types:
            message = "The endpoint reports no authentication option, so none can be checked."
        else:
            refused = ", ".join(str(kind) for kind in types if kind not in options.allowed_types)
            message = (
                f"The endpoint authenticates with {refused}, which the policy does not allow. "
                "AWS cannot change it: the endpoint must be recreated."
            )
        return RuleResult.violated(
            expected=list(options.allowed_types), actual=list(types), message=message
        )
