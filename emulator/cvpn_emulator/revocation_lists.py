"""Client certificate revocation lists: Import/ExportClientVpnClientCertificateRevocationList."""

from __future__ import annotations

from moto.ec2.exceptions import DryRunClientError

from . import validation as check
from .backend_core import BackendCore
from .entities import CertificateRevocationList, Json


class RevocationListsMixin(BackendCore):
    def import_client_vpn_client_certificate_revocation_list(
        self, endpoint_id: str, pem: str, dry_run: bool
    ) -> Json:
        check.check_certificate_revocation_list(pem)
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            endpoint.ensure_modifiable("import a certificate revocation list for")
            if dry_run:
                raise DryRunClientError()
            endpoint.revocation_list = CertificateRevocationList(pem)
            # API reference: "Uploading a client certificate revocation list resets existing
            # client connections."
            endpoint.terminate_connections()
            return {"Return": True}

    def export_client_vpn_client_certificate_revocation_list(
        self, endpoint_id: str, dry_run: bool
    ) -> Json:
        with self.lock:
            endpoint = self.get_endpoint(endpoint_id)
            if dry_run:
                raise DryRunClientError()
            # Both members are optional in the output shape: without a list there is nothing
            # to export and no status to report (a guess; the docs are silent).
            return endpoint.revocation_list.export() if endpoint.revocation_list else {}
