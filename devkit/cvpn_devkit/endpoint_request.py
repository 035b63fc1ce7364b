"""The smallest valid CreateClientVpnEndpoint request, from which the demos', the tests' and
the benchmarks' endpoints start: mutual certificate authentication with a certificate of the
endpoint's region, connection logging off (the request must say), everything else AWS's
default unless ``settings`` says otherwise. An endpoint that logs needs its log group first
(``create_log_group``): Client VPN logs only into a group that exists."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
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


def log_group_of(request: Mapping[str, Any]) -> str | None:
    """The CloudWatch Logs group a Create or Modify request logs into (None: logging off)."""
    options = request.get("ConnectionLogOptions") or {}
    group = options.get("CloudwatchLogGroup") if options.get("Enabled") else None
    return str(group) if group else None


def create_log_group(logs: Any, name: str) -> None:
    """Create CloudWatch Logs group ``name`` with ``logs`` (a boto3 client) unless it exists."""
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=name)
