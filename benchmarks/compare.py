"""The enforcer's cold path of this checkout against another commit's, paired and interleaved.

``python -m benchmarks.compare REV [--runs N]`` builds both Lambda artifacts (REV from a
temporary git worktree), then times each cold path to its first AWS call, tracing off and on,
round by round in a rotating order (``cold_start.Subject``), and prints the median of the
per-round ratios with their range: whether a change made the cold start slower, measured so
that the machine's load falls on both alike. Run it with a load average below 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from cvpn_devkit.artifact import build_artifact

from benchmarks import cold_start
from benchmarks.__main__ import SAFE_ENVIRONMENT
from benchmarks.cold_start import (
    ENFORCER,
    ENFORCER_ENVIRONMENT,
    LAMBDA_ENVIRONMENT,
    TRACING_OFF,
    TRACING_ON,
    Subject,
)
from benchmarks.fixtures import FULL_POLICY_YAML

REPO = Path(__file__).resolve().parents[1]


def _git(*arguments: str) -> None:
    git = shutil.which("git")
    if git is None:
        raise SystemExit("make compare needs git on PATH")
    subprocess.run([git, "-C", str(REPO), *arguments], check=True)  # noqa: S603 - our repo


def _artifact_of(revision: str, root: Path, python: str) -> tuple[str, str]:
    """(function folder, layer) of the enforcer built from ``revision``'s own devkit."""
    tree = root / "tree"
    _git("worktree", "add", "--detach", "-q", str(tree), revision)
    try:
        script = (
            "import sys; from pathlib import Path; "
            f"sys.path.insert(0, {str(tree / 'devkit')!r}); "
            "from cvpn_devkit.artifact import build_artifact; "
            f"a = build_artifact(Path({str(root / 'artifact')!r}), {python!r}); "
            "print(a.function('enforcer')); print(a.layer)"
        )
        done = subprocess.run(  # noqa: S603 - our interpreter, that revision's builder
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
    finally:
        _git("worktree", "remove", "--force", str(tree))
    function, layer = done.stdout.strip().splitlines()[-2:]
    return function, layer


def _summary(ratios: list[float]) -> str:
    ordered = sorted(ratios)
    return f"{statistics.median(ordered):.2f}x (range {ordered[0]:.2f}-{ordered[-1]:.2f})"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare")
    parser.add_argument("revision", help="the commit to compare this checkout with")
    parser.add_argument("--runs", type=int, default=15, help="paired rounds (>= 7)")
    arguments = parser.parse_args(argv)
    os.environ.update(SAFE_ENVIRONMENT)
    python = cold_start.interpreter()
    with tempfile.TemporaryDirectory(prefix="cvpn-compare-") as temporary:
        root = Path(temporary)
        policy = root / "policy.yaml"
        policy.write_text(FULL_POLICY_YAML)
        environment = {**LAMBDA_ENVIRONMENT, **ENFORCER_ENVIRONMENT, "POLICY_FILE": str(policy)}
        this = build_artifact(root / "this", python)
        paths = {
            "this": (str(this.function("enforcer")), str(this.layer)),
            "other": _artifact_of(arguments.revision, root / "other", python),
        }
        subjects = []
        for name, sys_path in paths.items():
            for tracing, extra in (("off", TRACING_OFF), ("on", TRACING_ON)):
                folder = root / f"{ENFORCER}-{name}-{tracing}"
                folder.mkdir()
                subjects.append(
                    Subject(f"{name}/{tracing}", "enforcer", sys_path, environment | extra, folder)
                )
        for subject in subjects:  # warm-up: the same .pyc and page cache for every round
            subject.run(python)
        records: dict[str, list[dict[str, Any]]] = {subject.name: [] for subject in subjects}
        for round_ in range(arguments.runs):
            shift = round_ % len(subjects)
            for subject in subjects[shift:] + subjects[:shift]:
                records[subject.name].append(subject.run(python))
    print(f"enforcer cold path, this checkout / {arguments.revision}, {arguments.runs} rounds:")
    for tracing in ("off", "on"):
        mine, theirs = records[f"this/{tracing}"], records[f"other/{tracing}"]
        time = [m["ms"] / t["ms"] for m, t in zip(mine, theirs, strict=True)]
        rss = [m["peak_rss_mib"] / t["peak_rss_mib"] for m, t in zip(mine, theirs, strict=True)]
        print(f"  tracing {tracing}: time {_summary(time)}, peak RSS {_summary(rss)}")
    print(f"  load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
