"""Run every section, print one table and write ``benchmarks/results.json``.

``python -m benchmarks [--runs N] [--sizes 1000,10000] [--member-rounds N]`` (``make bench`` runs
the defaults). The load average is sampled through every section (``benchmarks.load``) and
recorded with the machine; ``python -m benchmarks.readme`` then puts the figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cvpn_devkit.artifact import build_artifact

from benchmarks import aws_calls, cold_start, evaluate, first_invocation, member_accounts, sweep
from benchmarks.load import QUIET, LoadWatch
from benchmarks.machine import machine
from benchmarks.table import RESULTS, Row, render, write_results

# The bench talks only to the emulator; never to an AWS account the shell may be set up for.
SAFE_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument(
        "--runs", type=int, default=15, help="paired rounds of the cold-start sections (>= 7)"
    )
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


def _section(name: str, started: float, load: LoadWatch) -> None:
    print(
        f"  {name} done at {time.perf_counter() - started:.0f} s "
        f"(load average at most {load.sections[name]:.2f})",
        file=sys.stderr,
    )


def _python_of(python: str) -> str:
    """The version of the interpreter the probes run on."""
    done = subprocess.run(  # noqa: S603 - the interpreter the bench found
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def main(argv: list[str]) -> int:
    """Run the sections in order (the cheap ones first); return a process exit code."""
    arguments = _arguments(argv)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(SAFE_ENVIRONMENT)
    sizes = tuple(int(size) for size in arguments.sizes.split(","))
    started = time.perf_counter()
    load = LoadWatch()
    print(f"load average at the start: {load.start:.2f}", file=sys.stderr)
    rows: list[Row] = []
    with load.section("evaluation"):
        rows += evaluate.run()
    _section("evaluation", started, load)
    with load.section("AWS calls"):
        rows += aws_calls.run()
    _section("AWS calls", started, load)
    with tempfile.TemporaryDirectory(prefix="cvpn-bench-") as temporary:
        python = cold_start.interpreter()
        artifact = build_artifact(Path(temporary) / "artifact", python)
        defaults = cold_start.Defaults.of_template()
        with load.section("cold start"):
            rows += cold_start.run(artifact, Path(temporary), arguments.runs, defaults)
        _section("cold start", started, load)
        with load.section("first invocation"):
            rows += first_invocation.run(
                artifact, Path(temporary), arguments.runs, defaults.enforcer
            )
        _section("first invocation", started, load)
        with load.section("sweep"):
            sweeps = sweep.run(artifact, sizes)
        rows += sweeps
        _section("sweep", started, load)
        with load.section("member accounts"):
            rows += member_accounts.run(artifact, Path(temporary), arguments.member_rounds)
        _section("member accounts", started, load)
    rows = evaluate.with_share_of_sweep(rows, sweeps)
    context = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "probe_python": _python_of(artifact.python),
        "load_average": load.record(),
        "tracing": {
            "enforcer": defaults.enforcer.label(),
            "sweeper": defaults.sweeper.label(),
            "sweep_worker": defaults.worker.label(),
        },
        "cold_start_runs": arguments.runs,
        "sweep_sizes": sizes,
        "member_rounds": arguments.member_rounds,
        "seconds": round(time.perf_counter() - started),
    }
    described = context["machine"]
    print(
        f"cvpn-guard benchmarks - {described['cpu_model']}, {described['cpus']} CPUs, "
        f"Python {context['probe_python']}; load average {load.start:.2f} at the start, at most "
        f"{load.paired_max:.2f} through the paired sections "
        f"({', '.join(f'{k} {v:.2f}' for k, v in load.sections.items())})"
    )
    print(render(rows))
    write_results(rows, context)
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"\n(written to {shown} in {context['seconds']} s)")
    if load.paired_max > QUIET:
        print(
            f"The load average reached {load.paired_max:.2f} (> {QUIET:g}): these figures do not "
            "go in benchmarks/README.md; run `make bench` again on a quiet machine."
        )
    else:
        print("To publish them in benchmarks/README.md: .venv/bin/python -m benchmarks.readme")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
