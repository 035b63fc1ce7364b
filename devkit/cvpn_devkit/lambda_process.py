"""Invoke a handler in a process of its own, with exactly the environment given, as Lambda does.

Each Lambda function runs in its own process with its own environment variables. The demo
invokes the enforcer and the sweeper this way (its own environment stays untouched), and the
deploy-parity test invokes the built artifact this way with ``site_packages=False``: then only
the function's folder, the layer's ``python/`` and the standard library are importable.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).resolve().with_name("lambda_runner.py")


class InvocationFailed(RuntimeError):
    """The handler raised, or its process died; ``outcome`` holds what the runner recorded."""

    def __init__(self, message: str, outcome: dict[str, Any]) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass(frozen=True)
class LambdaProcess:
    """How to start a handler's process.

    Attributes
    ----------
    python
        The interpreter (the template's runtime version where it matters).
    layer
        The folder Lambda mounts as ``/opt/python``: the built layer's ``python/``, or
        ``shared/`` itself (what SAM copies into it) for a run from the source tree.
    site_packages
        False to start with ``-S``: nothing of the interpreter's site-packages is importable.
    """

    python: str
    layer: Path
    site_packages: bool = True

    def outcome(
        self,
        function_dir: Path,
        event: dict[str, Any],
        environment: dict[str, str],
        workdir: Path,
    ) -> dict[str, Any]:
        """Run one invocation; the runner's record (``result`` or ``error``) plus its output."""
        workdir.mkdir(parents=True, exist_ok=True)
        name = function_dir.name
        event_file = workdir / f"{name}-event.json"
        result_file = workdir / f"{name}-result.json"
        result_file.unlink(missing_ok=True)
        event_file.write_text(json.dumps(event))
        flags = ["-I"] if self.site_packages else ["-I", "-S"]
        completed = subprocess.run(  # noqa: S603 - our interpreter, our runner, our paths
            [
                self.python,
                *flags,
                str(RUNNER),
                str(function_dir),
                str(self.layer),
                str(event_file),
                str(result_file),
            ],
            env=environment,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not result_file.exists():
            raise InvocationFailed(
                f"the {name} process wrote no result (exit {completed.returncode}):\n"
                f"{completed.stderr[-4000:]}",
                {"stderr": completed.stderr, "stdout": completed.stdout},
            )
        outcome: dict[str, Any] = json.loads(result_file.read_text())
        outcome["stdout"] = completed.stdout
        outcome["stderr"] = completed.stderr
        return outcome

    def invoke(
        self,
        function_dir: Path,
        event: dict[str, Any],
        environment: dict[str, str],
        workdir: Path,
    ) -> dict[str, Any]:
        """Run one invocation and return what the handler returned; raise when it failed."""
        outcome = self.outcome(function_dir, event, environment, workdir)
        if "error" in outcome:
            raise InvocationFailed(
                f"{outcome['error']}\n{outcome.get('traceback', '')}".strip(), outcome
            )
        result: dict[str, Any] = outcome["result"]
        return result
