"""One warm enforcer process in organization mode, fed events from many member accounts.

Run by :mod:`benchmarks.member_accounts` as ``python -I -S member_probe.py SETTINGS_JSON`` in
the built artifact's layout (function folder + layer). Standard library only. The events (one
per member account x region pair, forwarded as the member rules forward them) are handed to
the handler one after the other, as Lambda hands them to one warm container. After each
checkpoint (say 1, 25 and 100 pairs) it records the process's peak RSS and what the runtime
holds (member clients, accounts' credentials), and prints one JSON line at the end.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _sibling(name: str) -> Any:
    # By path: -I keeps this script's folder off sys.path, and off it stays.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def main(settings_json: str) -> int:
    settings: dict[str, Any] = json.loads(settings_json)
    cold_probe = _sibling("cold_probe")
    with open(settings["events"]) as file:
        events: list[dict[str, Any]] = json.load(file)
    sys.path[:0] = settings["sys_path"]
    handler = importlib.import_module("app").lambda_handler
    runtime = importlib.import_module("cvpn_guard.runtime").get_runtime()
    context = cold_probe._Context(settings["function_arn"])
    statuses: Counter[str] = Counter()
    checkpoints: dict[str, dict[str, Any]] = {}
    for handled, event in enumerate(events, start=1):
        statuses[str(handler(event, context)["status"])] += 1
        if handled in settings["checkpoints"]:
            members = runtime.member_accounts
            checkpoints[str(handled)] = {
                "peak_rss_mib": cold_probe.peak_rss_mib(),
                "clients_held": members.clients_held,
                "accounts_held": members.accounts_held,
            }
    record = {"checkpoints": checkpoints, "statuses": dict(statuses)}
    sys.stdout.write("\n" + json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
