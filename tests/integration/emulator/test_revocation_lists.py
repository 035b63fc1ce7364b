"""Client certificate revocation lists: Import/ExportClientVpnClientCertificateRevocationList."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.integration.emulator.conftest import (
    NO_RETRIES,
    Emulator,
    create_endpoint,
    error_of,
)

UNKNOWN_ENDPOINT = "cvpn-endpoint-0123456789abcdef0"


def make_crl(*revoked_serials: int) -> str:
    """A real PEM CRL, signed by a throwaway CA, revoking the given serial numbers."""
    key = ec.generate_private_key(ec.SECP256R1())
    moment = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cvpn-test-ca")]))
        .last_update(moment)
        .next_update(moment + timedelta(days=30))
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(moment).build()
        )
    crl = builder.sign(key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM).decode()


def import_crl(ec2: Any, endpoint_id: str, pem: str, **kwargs: Any) -> Any:
    return ec2.import_client_vpn_client_certificate_revocation_list(
        ClientVpnEndpointId=endpoint_id, CertificateRevocationList=pem, **kwargs
    )


def export_crl(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    response = dict(
        ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
    )
    response.pop("ResponseMetadata")
    return response


@pytest.mark.server_smoke
def test_export_before_any_import_has_no_list(ec2: Any) -> None:
    # Given a new endpoint, When its list is exported, Then there is no list and no status
    endpoint_id = create_endpoint(ec2)
    assert export_crl(ec2, endpoint_id) == {}


def test_import_then_export_round_trip(ec2: Any) -> None:
    # Given an endpoint and a CRL revoking two certificates
    endpoint_id = create_endpoint(ec2)
    pem = make_crl(1001, 1002)

    # When it is imported, Then AWS answers true
    assert import_crl(ec2, endpoint_id, pem)["Return"] is True

    # And the export returns the same text, active
    assert export_crl(ec2, endpoint_id) == {
        "CertificateRevocationList": pem,
        "Status": {"Code": "active"},
    }

    # When another list is imported, Then it replaces the first
    newer = make_crl(1001, 1002, 1003)
    import_crl(ec2, endpoint_id, newer)
    assert export_crl(ec2, endpoint_id)["CertificateRevocationList"] == newer


def test_import_resets_client_connections(emulator: Emulator, ec2: Any) -> None:
    # Given an endpoint with two users connected
    endpoint_id = create_endpoint(ec2)
    emulator.seed_connections(endpoint_id, 2)

    # When a CRL is imported (API reference: it "resets existing client connections")
    import_crl(ec2, endpoint_id, make_crl(7))

    # Then both connections were terminated
    connections = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id)
    assert [c["Status"] for c in connections["Connections"]] == [{"Code": "terminated"}] * 2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("revoked: alice, bob", id="not-pem"),
        pytest.param(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", id="certificate"
        ),
        pytest.param(
            "-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n", id="bad-body"
        ),
    ],
)
def test_invalid_lists_are_refused(ec2: Any, text: str) -> None:
    # Given an endpoint with a list
    endpoint_id = create_endpoint(ec2)
    pem = make_crl(1)
    import_crl(ec2, endpoint_id, pem)

    # When text that is not a PEM CRL is imported, Then AWS refuses it and keeps the list
    with pytest.raises(ClientError) as error:
        import_crl(ec2, endpoint_id, text)
    assert error_of(error)[0] == "InvalidParameterValue"
    assert export_crl(ec2, endpoint_id)["CertificateRevocationList"] == pem


def test_unknown_and_deleting_endpoints(emulator: Emulator, ec2: Any) -> None:
    for call in (
        lambda: import_crl(ec2, UNKNOWN_ENDPOINT, make_crl(1)),
        lambda: export_crl(ec2, UNKNOWN_ENDPOINT),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error_of(error) == (
            "InvalidClientVpnEndpointId.NotFound",
            f"Endpoint {UNKNOWN_ENDPOINT} does not exist",
        )
    deleting = create_endpoint(ec2)
    emulator.set_endpoint_status(deleting, "deleting")
    with pytest.raises(ClientError) as error:
        import_crl(ec2, deleting, make_crl(1))
    assert error_of(error)[0] == "IncorrectState"


def test_dry_runs_validate_and_change_nothing(ec2: Any) -> None:
    endpoint_id = create_endpoint(ec2)

    # A valid import dry run answers DryRunOperation and imports nothing
    with pytest.raises(ClientError) as error:
        import_crl(ec2, endpoint_id, make_crl(1), DryRun=True)
    assert error_of(error)[0] == "DryRunOperation"
    assert export_crl(ec2, endpoint_id) == {}
    # An invalid one reports the real error
    with pytest.raises(ClientError) as error:
        import_crl(ec2, endpoint_id, "nope", DryRun=True)
    assert error_of(error)[0] == "InvalidParameterValue"
    # An export dry run answers DryRunOperation
    with pytest.raises(ClientError) as error:
        ec2.export_client_vpn_client_certificate_revocation_list(
            ClientVpnEndpointId=endpoint_id, DryRun=True
        )
    assert error_of(error)[0] == "DryRunOperation"


@pytest.mark.parametrize(
    "operation",
    [
        "ImportClientVpnClientCertificateRevocationList",
        "ExportClientVpnClientCertificateRevocationList",
    ],
)
def test_faults_and_counters(emulator: Emulator, operation: str) -> None:
    # Given an endpoint, a client that does not retry, and the operation made to fail once
    ec2 = emulator.ec2(**NO_RETRIES)
    endpoint_id = create_endpoint(ec2)
    emulator.inject_error(operation, "InternalError")
    calls = {
        "ImportClientVpnClientCertificateRevocationList": lambda: import_crl(
            ec2, endpoint_id, make_crl(1)
        ),
        "ExportClientVpnClientCertificateRevocationList": lambda: export_crl(ec2, endpoint_id),
    }

    # When it is called twice, Then the first fails with AWS's code and status, the second works
    with pytest.raises(ClientError) as error:
        calls[operation]()
    assert error_of(error)[0] == "InternalError"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    calls[operation]()
    # And both were counted for the endpoint
    assert emulator.endpoint_call_counts()[operation] == {endpoint_id: 2}


def test_reset_wipes_lists(emulator: Emulator, ec2: Any) -> None:
    # Given an imported list
    endpoint_id = create_endpoint(ec2)
    import_crl(ec2, endpoint_id, make_crl(1))

    # When moto is reset, Then the endpoint and its list are gone
    emulator.reset()
    with pytest.raises(ClientError) as error:
        export_crl(ec2, endpoint_id)
    assert error_of(error)[0] == "InvalidClientVpnEndpointId.NotFound"
