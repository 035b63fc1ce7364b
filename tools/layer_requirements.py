"""Write (or ``--check``) ``shared/requirements.txt``, the Lambda layer's dependencies, from uv.lock.

SAM builds the layer from that file, so it must name exactly the versions the tests ran on: the
runtime dependencies of ``pyproject.toml`` as ``uv.lock`` resolved them, nothing from the dev
group. ``make lock`` writes it; the deploy tests fail when it drifts from the lock.
Standard library only, and uv from ``$UV`` (the Makefile's bootstrapped copy by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "shared" / "requirements.txt"
HEADER = (
    "# The Lambda layer's dependencies: `sam build` installs them into the layer's python/.\n"
    "# GENERATED from uv.lock by `make lock` (runtime dependencies only, exact versions).\n"
    "# Do not edit: change pyproject.toml, run `make lock`; a test fails when this file drifts.\n"
)
EXPORT_ARGS = ("export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header")


def uv_executable() -> str:
    """The uv the Makefile bootstrapped, unless ``$UV`` names another."""
    return os.environ.get("UV") or str(REPO / ".tools" / "uv" / "bin" / "uv")


def render() -> str:
    """The requirements file the current uv.lock calls for."""
    exported = subprocess.run(
        [uv_executable(), *EXPORT_ARGS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if exported.returncode != 0:
        raise SystemExit(f"uv export failed ({exported.returncode}):\n{exported.stderr}")
    return HEADER + exported.stdout


def main(argv: list[str]) -> int:
    wanted = render()
    if argv[1:] == ["--check"]:
        if REQUIREMENTS.read_text() == wanted:
            return 0
        print(f"{REQUIREMENTS} is out of date with uv.lock: run `make lock`", file=sys.stderr)
        return 1
    REQUIREMENTS.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
