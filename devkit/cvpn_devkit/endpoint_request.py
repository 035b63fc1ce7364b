"""The smallest valid CreateClientVpnEndpoint request, from which the demos', the tests' and
the benchmarks' endpoints start: mutual certificate authentication with a certificate of the
endpoint's region, connection logging off (the request must say), everything else AWS's
default unless ``settings`` says otherwise."""

from __future__ import annotations

from typing import Any

from cvpn_devkit.lambda_harness import ACCOUNT

CERTIFICATE = "arn:aws:acm:{region}:{account}:certificate/5e0a7a3c-1f0e-4b8e-9b1c-3d2e1f0a9b8c"


def create_request(
    region: str, *, cidr: str = "10.100.0.0/22", account: str = ACCOUNT, **settings: Any
) -> dict[str, Any]:
    """The request's parameters, as boto3 takes them (``settings`` win)."""
    certificate = CERTIFICATE.format(region=region, account=account)
    return {
        "ClientCidrBlock": cidr,
        "ServerCertificateArn": certificate,
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": certificate},
            }
        ],
        "ConnectionLogOptions": {"Enabled": False},
        **settings,
    }
