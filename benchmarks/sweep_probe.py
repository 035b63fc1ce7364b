"""One sweeper invocation in a fresh interpreter: how long, how much memory, regions overlapping.

Run by :mod:`benchmarks.sweep` as ``python -I -S sweep_probe.py SETTINGS_JSON`` in the built
artifact's layout (function folder + layer). Standard library only. It times each region's
``sweep_region`` (wrapped, not changed) to show that the regions run at the same time, and
prints one JSON line.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any


class _Context:
    def __init__(self, function_arn: str) -> None:
        self.function_name = function_arn.rsplit(":", 1)[-1]
        self.invoked_function_arn = function_arn
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.aws_request_id = "00000000-0000-4000-8000-000000000001"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def _cold_probe() -> Any:
    # Its sibling, by path: -I keeps this script's folder off sys.path, and off it stays.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        return importlib.import_module("cold_probe")
    finally:
        sys.path.pop(0)


def main(settings_json: str) -> int:
    settings: dict[str, Any] = json.loads(settings_json)
    peak_rss_mib = _cold_probe().peak_rss_mib
    sys.path[:0] = settings["sys_path"]
    handler = importlib.import_module("app").lambda_handler
    sweep_module = importlib.import_module("cvpn_guard.sweep")
    original = sweep_module.sweep_region
    spans: dict[str, list[float]] = {}
    lock = threading.Lock()

    def timed_region(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        result = original(*args, **kwargs)
        with lock:
            spans[kwargs["region"]] = [began, time.perf_counter()]
        return result

    setattr(sweep_module, "sweep_region", timed_region)  # noqa: B010 - a module loaded by name
    rss_before = peak_rss_mib()
    began = time.perf_counter()
    result = handler({}, _Context(settings["function_arn"]))
    seconds = time.perf_counter() - began
    record = {
        "seconds": seconds,
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_mib": rss_before,
        "summary": result["summary"],
        "errors": result["errors"],
        "spans": {region: [a - began, b - began] for region, (a, b) in spans.items()},
    }
    sys.stdout.write("\n" + json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
