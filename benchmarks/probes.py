"""Running a probe script in the built artifact's interpreter and reading what it printed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cvpn_devkit.artifact import Artifact


def run_probe(
    artifact: Artifact,
    probe: Path,
    settings: Mapping[str, Any],
    *,
    environment: Mapping[str, str],
    timeout: float,
    what: str,
    cwd: Path | None = None,
    arguments: tuple[str, ...] = (),
) -> dict[str, Any]:
    """``python -I -S PROBE [ARGUMENTS...] SETTINGS_JSON``: the JSON object on the last line of
    its output.

    Raises RuntimeError, with the end of its standard error, when the probe fails.
    """
    done = subprocess.run(  # noqa: S603 - the artifact's interpreter, our probe
        [artifact.python, "-I", "-S", str(probe), *arguments, json.dumps(settings)],
        env=dict(environment),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record
