"""One whole cold invocation in a fresh interpreter: from the first import to the handler's return.

Run by :mod:`benchmarks.first_invocation` as ``python -I -S invocation_probe.py SUBJECT
SETTINGS_JSON`` in a Lambda layout (``sys_path`` in the settings), with ``AWS_ENDPOINT_URL``
naming the emulator the bench seeded. Standard library only, as ``cold_probe``: whatever this
script imported would be counted against the subject. It prints one JSON line: the milliseconds
from the first import to the return, the peak RSS and what the handler returned (the enforcer's
status; whether Custodian ran its policies).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cold_probe() -> Any:
    # Its sibling, by path: -I keeps this script's folder off sys.path, and off it stays.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module("cold_probe")
    finally:
        sys.path.pop(0)


COLD_PROBE = _cold_probe()


def _event(settings: dict[str, Any]) -> dict[str, Any]:
    with open(settings["event"]) as file:
        event: dict[str, Any] = json.load(file)
    return event


def enforcer(settings: dict[str, Any]) -> str:
    """Lambda's INIT then the first invocation; the status the handler returned."""
    handler = importlib.import_module("app").lambda_handler
    result = handler(_event(settings), COLD_PROBE._Context(settings["function_arn"]))
    return str(result["status"])


def custodian(settings: dict[str, Any]) -> str:
    """Cloud Custodian's Lambda entry point on its policy (config.json in the working folder):
    describe, filter and, for a matched endpoint, notify. It returns whether it ran its
    policies (the bench reads what it did from the emulator's call counts)."""
    from c7n import handler  # type: ignore[import-not-found]

    ran = handler.dispatch_event(_event(settings), COLD_PROBE._Context(settings["function_arn"]))
    return "policies run" if ran else "nothing run"


SUBJECTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "enforcer": enforcer,
    "custodian": custodian,
}


def main(subject: str, settings_json: str) -> int:
    settings: dict[str, Any] = json.loads(settings_json)
    sys.path[:0] = settings["sys_path"]
    began = time.perf_counter()
    outcome = SUBJECTS[subject](settings)
    elapsed = time.perf_counter() - began
    record = {"ms": elapsed * 1000, "outcome": outcome, "peak_rss_mib": COLD_PROBE.peak_rss_mib()}
    sys.stdout.write("\n" + json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
