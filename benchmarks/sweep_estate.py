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

from cvpn_emulator.server import start_emulator
from tests.support.estate import compliant_overrides, seed_endpoint

DRIFT_EVERY = 40


def seed(sizes: Mapping[str, int], settings: Mapping[str, Any]) -> int:
    """Create the endpoints; return how many are drifted."""
    drifted = 0
    for region, size in sizes.items():
        for index in range(size):
            drift = index % DRIFT_EVERY == DRIFT_EVERY - 1
            drifted += drift
            changes = {"DisconnectOnSessionTimeout": False} if drift else {}
            seed_endpoint(region, f"{region}-{index}", **{**settings, **changes})
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
