"""Cloud Custodian as the peer: its locked environment and a policy equivalent to the bench's.

Custodian runs in ``tools/custodian/.venv`` (``make bench`` syncs it from its own lock), never
in the product's environment or layer. Its Lambda reads the policy from ``config.json`` in the
function's folder, as ``custodian run`` with a ``mode`` deploys it; the policy below checks
what the bench's full cvpn-guard policy checks, with Custodian's value filters, and notifies
on SNS.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.fixtures import ACCOUNT, BANNER, LOG_GROUP, TOPIC_ARN

REPO = Path(__file__).resolve().parents[1]
VENV = REPO / "tools" / "custodian" / ".venv"


def site_packages() -> Path:
    """Where the locked environment installed c7n and its dependencies."""
    found = sorted(VENV.glob("lib/python3.*/site-packages"))
    if not found or not (found[0] / "c7n").is_dir():
        raise RuntimeError(f"Cloud Custodian is not installed in {VENV}: run `make bench`")
    return found[0]


def _value(key: str, value: Any, op: str = "eq") -> dict[str, Any]:
    return {"type": "value", "key": key, "op": op, "value": value}


def policy_document(filters: list[dict[str, Any]], topic_arn: str = TOPIC_ARN) -> dict[str, Any]:
    """A Custodian Lambda policy on Client VPN endpoint changes: ``filters`` (any of them
    matching), then a notice on SNS topic ``topic_arn``."""
    return {
        "execution-options": {
            # Given, as `custodian run` writes it, so that the cold path makes no STS call.
            "account_id": ACCOUNT,
            "region": "eu-west-1",
            "metrics_enabled": False,
            "output_dir": "/tmp",  # noqa: S108 - what Custodian's Lambda uses
        },
        "policies": [
            {
                "name": "client-vpn-endpoint-policy",
                "resource": "aws.client-vpn-endpoint",
                "mode": {
                    "type": "cloudtrail",
                    "role": f"arn:aws:iam::{ACCOUNT}:role/custodian",
                    "events": [
                        {
                            "source": "ec2.amazonaws.com",
                            "event": "CreateClientVpnEndpoint",
                            "ids": "responseElements.CreateClientVpnEndpointResponse.clientVpnEndpointId",
                        },
                        {
                            "source": "ec2.amazonaws.com",
                            "event": "ModifyClientVpnEndpoint",
                            "ids": "requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId",
                        },
                    ],
                },
                "filters": [{"or": filters}],
                "actions": [
                    {
                        "type": "notify",
                        "to": ["network-security@example.com"],
                        "subject": "Client VPN endpoint outside the policy",
                        "transport": {"type": "sns", "topic": topic_arn},
                    }
                ],
            }
        ],
    }


FULL_FILTERS: list[dict[str, Any]] = [
    _value("DisconnectOnSessionTimeout", False),
    _value("SessionTimeoutHours", 12, "greater-than"),
    _value("ClientLoginBannerOptions.BannerText", BANNER, "ne"),
    _value("ConnectionLogOptions.CloudwatchLogGroup", LOG_GROUP, "ne"),
    _value("SplitTunnel", False),
    _value("SelfServicePortalUrl", "present"),
    _value("ClientConnectOptions.Enabled", False),
    _value("ClientRouteEnforcementOptions.Enforced", False),
    _value("VpnPort", 443, "ne"),
    _value("TransportProtocol", "udp", "ne"),
    _value("DnsServers", ["10.0.0.2"], "ne"),
    {"tag:owner": "absent"},
    {"tag:cost-center": "absent"},
]
"""What the bench's full cvpn-guard policy checks (benchmarks/fixtures.py)."""
POLICY = policy_document(FULL_FILTERS)


def default_policy_filters(banner: str) -> list[dict[str, Any]]:
    """What template.yaml's default policy checks of the endpoint itself, with ``banner`` its
    login banner. Custodian describes only the endpoint: the default policy's authorization
    and routes rules (two more describes for cvpn-guard) have no counterpart here."""
    return [
        _value("DisconnectOnSessionTimeout", False),
        _value("SessionTimeoutHours", 12, "greater-than"),
        _value("ClientLoginBannerOptions.Enabled", False),
        _value("ClientLoginBannerOptions.BannerText", banner, "ne"),
        _value("ConnectionLogOptions.Enabled", False),
        _value("SelfServicePortalUrl", "present"),
    ]


def write_config(folder: Path, policy: dict[str, Any] = POLICY) -> Path:
    """Write ``config.json`` where Custodian's handler reads it (its working folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    path.write_text(json.dumps(policy, indent=2))
    return path
