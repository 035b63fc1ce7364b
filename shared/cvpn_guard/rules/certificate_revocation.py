"""certificate-revocation: certificate-authenticated endpoints refuse revoked client certificates."""

from __future__ import annotations

from pydantic import Field, StrictBool

from cvpn_guard.endpoint import CERTIFICATE_AUTHENTICATION, EndpointState
from cvpn_guard.policy_terms.controls import Control, Framework
from cvpn_guard.policy_terms.enums import Severity
from cvpn_guard.rules.base import PASSED, Needs, ReportOnly, Rule, RuleResult


class CertificateRevocationConfig(ReportOnly):
    report_only_because = (
        "only your certificate authority can issue its revocation list (and importing one "
        "resets every client connection)"
    )
    severity: Severity = Severity.HIGH
    required: StrictBool = Field(
        default=True,
        description="true (certificate endpoints must have a revocation list) or false",
    )

    @property
    def active(self) -> bool:
        return self.required


class CertificateRevocation(Rule[CertificateRevocationConfig]):
    """Certificate-authenticated endpoints must have a client revocation list (report only).

    - Applies to endpoints with a `certificate-authentication` option (mutual TLS): they must
      have a client certificate revocation list, so that a lost or revoked client certificate
      stops connecting. Read with `ExportClientVpnClientCertificateRevocationList` (one more call,
      only for those endpoints); an answer without `CertificateRevocationList` means none was
      imported. The list's text is never kept or reported. Endpoints without client
      certificates comply; without a read of the list the rule is **not evaluated**.
    - **Report only**: only your certificate authority can issue the list, and importing one
      resets every client connection (EC2 API Reference,
      ImportClientVpnClientCertificateRevocationList). `remediate: true` is rejected.

    Controls: NIST SP 800-53 Rev. 5: IA-5(2) (Authenticator Management | Public Key-based
    Authentication: "When public key infrastructure (PKI) is used: (1) Validate certificates by
    constructing and verifying a certification path to an accepted trust anchor, including
    checking certificate status information"; the revocation list is the status information the
    endpoint checks).
    """

    id = "certificate-revocation"
    reads = ("AuthenticationOptions",)
    options = CertificateRevocationConfig
    order = 115
    controls = (Control(Framework.NIST_800_53, "IA-5(2)", "Public Key-based Authentication"),)
    fixable = False
    needs = frozenset({Needs.REVOCATION_LIST})
    example = {"required": True}

    @classmethod
    def check(cls, state: EndpointState, options: CertificateRevocationConfig) -> RuleResult:
        kinds = {option.type for option in state.endpoint.authentication_options or ()}
        if CERTIFICATE_AUTHENTICATION not in kinds:
            return PASSED  # no client certificates, nothing to revoke
        listed = state.revocation_list
        if listed is None:
            return RuleResult.not_evaluable("the endpoint's revocation list was not read")
        if listed.imported:
            return PASSED
        return RuleResult.violated(
            expected={"CertificateRevocationList": "imported"},
            actual={"CertificateRevocationList": None},
            message=(
                "The endpoint authenticates clients by certificate but has no client "
                "certificate revocation list: a revoked or lost certificate still connects. "
                "Import your CA's list (ImportClientVpnClientCertificateRevocationList)."
            ),
        )
