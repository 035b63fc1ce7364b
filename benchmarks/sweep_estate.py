"""An emulator process holding an estate of N endpoints over two regions, for the sweep bench.

``python -m benchmarks.sweep_estate '{"eu-west-1": 500, "us-east-1": 500}'`` starts the emulator
on a free port (run it with MOTO_EC2_LOAD_DEFAULT_AMIS=false: the AMIs cost seconds per region), seeds the endpoints straight into its backend (creating 10,000 through HTTP
would take minutes; the sweep under test still reads them back over HTTP), prints one JSON line
``{"url": ..., "drifted": n}`` and serves until its standard input closes.

One endpoint in ``DRIFT_EVERY`` has DisconnectOnSessionTimeout off (fixed by an enforce-mode
sweep); the others follow the template's default policy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from moto.ec2.models import ec2_backends

from cvpn_emulator.models import client_vpn_backend
from cvpn_emulator.server import start_emulator
from tests.support.estate import compliant_overrides

ACCOUNT = "123456789012"
DRIFT_EVERY = 40
CERTIFICATE = "arn:aws:acm:{region}:123456789012:certificate/0b3c1c1e-aaaa-bbbb-cccc-1234567890ab"


def seed(sizes: Mapping[str, int], settings: Mapping[str, Any]) -> int:
    """Create the endpoints; return how many are drifted."""
    drifted = 0
    for region, size in sizes.items():
        backend = client_vpn_backend(ec2_backends[ACCOUNT][region])
        certificate = CERTIFICATE.format(region=region)
        for index in range(size):
            drift = index % DRIFT_EVERY == DRIFT_EVERY - 1
            drifted += drift
            request = {
                "ClientCidrBlock": "10.200.0.0/22",
                "ServerCertificateArn": certificate,
                "AuthenticationOptions": [
                    {
                        "Type": "certificate-authentication",
                        "MutualAuthentication": {"ClientRootCertificateChainArn": certificate},
                    }
                ],
                **settings,
                **({"DisconnectOnSessionTimeout": False} if drift else {}),
            }
            backend.create_client_vpn_endpoint(request, {"Name": f"{region}-{index}"}, None, False)
    return drifted


def main(sizes_json: str) -> int:
    emulator = start_emulator()
    drifted = seed(json.loads(sizes_json), compliant_overrides())
    print(json.dumps({"url": emulator.url, "drifted": drifted}), flush=True)
    sys.stdin.read()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
