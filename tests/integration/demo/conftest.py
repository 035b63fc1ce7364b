"""Run ``cvpn-guard demo`` as a newcomer does: a real process from the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CONSOLE_SCRIPT = Path(sys.executable).parent / "cvpn-guard"


def run_demo(*arguments: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``cvpn-guard demo ARGUMENTS`` in a shell with nothing AWS-related configured (the demo
    brings its own emulator, credentials and Powertools settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(CONSOLE_SCRIPT), "demo", *arguments],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
    )
