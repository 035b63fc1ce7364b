"""Lambda INIT: how long importing each handler takes in a fresh interpreter, and what it loads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPEATS = 5

# Imports the handler the way Lambda does (by file), then reports the time and whether heavy
# modules came along: a skipped event must not pay for boto3.
_PROBE = """
import importlib.util, json, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
print(json.dumps({"ms": elapsed * 1000, "boto3": "boto3" in sys.modules}))
"""


class ColdStart:
    def __init__(self, name: str, milliseconds: float, loads_boto3: bool) -> None:
        self.name, self.milliseconds, self.loads_boto3 = name, milliseconds, loads_boto3

    def __str__(self) -> str:
        boto = "imports boto3" if self.loads_boto3 else "boto3 deferred to first use"
        return f"{'import functions/' + self.name + '/app.py':<58} {self.milliseconds:9.1f} ms  (best of {REPEATS}; {boto})"


def _measure(function: str) -> ColdStart:
    env = {"POWERTOOLS_TRACE_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-west-1", "PATH": ""}
    runs = []
    for _ in range(REPEATS):
        out = subprocess.run(  # noqa: S603 - our own interpreter and probe
            [sys.executable, "-c", _PROBE, str(REPO / "functions" / function / "app.py")],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda run: run["ms"])
    return ColdStart(function, best["ms"], best["boto3"])


def run() -> Iterator[ColdStart]:
    """Measure both handlers."""
    for function in ("enforcer", "sweeper"):
        yield _measure(function)
