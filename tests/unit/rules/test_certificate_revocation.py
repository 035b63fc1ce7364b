"""The certificate-revocation rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from cvpn_guard.policy import Severity
from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "certificate-revocation",
    {
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:x"},
            }
        ]
    },
    None,
    severity=Severity.HIGH,
    reads={"revocation_list": {}},  # Export answers nothing when no list was imported
)


CERTIFICATE_OPTIONS = [
    {
        "Type": "certificate-authentication",
        "MutualAuthentication": {"ClientRootCertificateChain": "arn:aws:acm:x"},
    }
]


def test_endpoints_without_client_certificates_need_no_revocation_list() -> None:
    # COMPLIANT_ITEM authenticates by SAML: there is no list to have, and none was read
    state = build_state(revocation_list=None)
    policy = build_policy({"certificate-revocation": {}})
    evaluation = evaluate_at(state, policy)
    assert evaluation.findings == ()
    assert evaluation.unevaluated == ()


def test_certificate_endpoint_with_a_list_complies_and_unread_is_not_evaluated() -> None:
    policy = build_policy({"certificate-revocation": {}})
    with_list = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS})
    assert evaluate_at(with_list, policy).findings == ()
    unread = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS}, revocation_list=None)
    assert [r.rule for r in evaluate_at(unread, policy).unevaluated] == ["certificate-revocation"]


def test_the_revocation_list_text_never_reaches_the_state() -> None:
    state = build_state({"AuthenticationOptions": CERTIFICATE_OPTIONS})
    assert state.revocation_list is not None
    assert "X509 CRL" not in state.model_dump_json()
