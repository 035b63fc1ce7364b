"""Run every section, print one table and write ``benchmarks/results.json``.

``python -m benchmarks [--runs N] [--sizes 1000,10000] [--member-rounds N]`` (``make bench`` runs
the defaults).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cvpn_devkit.artifact import build_artifact

from benchmarks import aws_calls, cold_start, evaluate, member_accounts, sweep
from benchmarks.table import RESULTS, Row, render, write_results

# The bench talks only to the emulator; never to an AWS account the shell may be set up for.
SAFE_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--runs", type=int, default=15, help="paired cold-start rounds (>= 7)")
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in sweep.SIZES),
        help="estate sizes of the sweep, comma-separated",
    )
    parser.add_argument(
        "--member-rounds",
        type=int,
        default=member_accounts.ROUNDS,
        help="enforcer processes fed events from 100 member account x region pairs",
    )
    return parser.parse_args(argv)


def _section(name: str, started: float) -> None:
    print(f"  {name} done at {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main(argv: list[str]) -> int:
    """Run the sections in order (the cheap ones first); return a process exit code."""
    arguments = _arguments(argv)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(SAFE_ENVIRONMENT)
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    started = time.perf_counter()
    rows: list[Row] = []
    rows += evaluate.run()
    _section("evaluation", started)
    rows += aws_calls.run()
    _section("AWS calls", started)
    with tempfile.TemporaryDirectory(prefix="cvpn-bench-") as temporary:
        python = cold_start.interpreter()
        artifact = build_artifact(Path(temporary) / "artifact", python)
        rows += cold_start.run(artifact, Path(temporary), arguments.runs)
        _section("cold start", started)
        sweeps = sweep.run(artifact, sizes)
        rows += sweeps
        _section("sweep", started)
        rows += member_accounts.run(artifact, Path(temporary), arguments.member_rounds)
        _section("member accounts", started)
    rows = evaluate.with_share_of_sweep(rows, sweeps)
    print(f"cvpn-guard benchmarks - Python {platform.python_version()} on {platform.machine()}")
    print(render(rows))
    write_results(
        rows,
        {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "cold_start_runs": arguments.runs,
            "sweep_sizes": sizes,
            "member_rounds": arguments.member_rounds,
            "seconds": round(time.perf_counter() - started),
        },
    )
    print(
        f"\n(written to {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
