"""A Lambda function kept warm between invocations, as Lambda keeps an execution environment.

The demo replays its sample events one after the other through the enforcer; Lambda would
answer such a burst from one warm environment (the handler's module loaded once), not start a
new one per event. A cold process per event would spend most of the demo starting Python and
loading botocore's models again.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cvpn_devkit.lambda_process import InvocationFailed

RUNNER = Path(__file__).resolve().with_name("warm_runner.py")


@dataclass
class WarmFunction:
    """One function's process, started with ``environment`` on the first invocation."""

    python: str
    layer: Path
    function_dir: Path
    environment: dict[str, str]
    workdir: Path
    _process: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)
    _replies: IO[str] | None = field(default=None, init=False, repr=False)
    _count: int = field(default=0, init=False, repr=False)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """One invocation; what the handler returned, or InvocationFailed when it raised."""
        process, replies = self._started()
        self._count += 1
        event_file = self.workdir / f"event-{self._count}.json"
        result_file = self.workdir / f"result-{self._count}.json"
        event_file.write_text(json.dumps(event))
        assert process.stdin is not None
        process.stdin.write(json.dumps({"event": str(event_file), "result": str(result_file)}))
        process.stdin.write("\n")
        process.stdin.flush()
        if not replies.readline():
            raise InvocationFailed(
                f"the {self.function_dir.name} process died (exit {process.wait()}):\n"
                f"{self._log('stderr')[-4000:]}",
                {"stderr": self._log("stderr"), "stdout": self._log("stdout")},
            )
        outcome: dict[str, Any] = json.loads(result_file.read_text())
        if "error" in outcome:
            raise InvocationFailed(
                f"{outcome['error']}\n{outcome.get('traceback', '')}".strip(), outcome
            )
        result: dict[str, Any] = outcome["result"]
        return result

    def close(self) -> None:
        """End the process (its environment is gone, as when Lambda retires one)."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None
        if self._replies is not None:
            self._replies.close()
            self._replies = None

    def _started(self) -> tuple[subprocess.Popen[str], IO[str]]:
        if self._process is not None and self._replies is not None:
            return self._process, self._replies
        self.workdir.mkdir(parents=True, exist_ok=True)
        read_end, write_end = os.pipe()
        # The handler's stdout and stderr (its logs and metrics) go to files, never to the
        # demo's terminal, and cannot fill a pipe nobody reads.
        with (
            (self.workdir / "stdout").open("w") as stdout,
            (self.workdir / "stderr").open("w") as stderr,
        ):
            self._process = subprocess.Popen(  # noqa: S603 - our interpreter, runner, paths
                [
                    self.python,
                    "-I",
                    str(RUNNER),
                    str(self.function_dir),
                    str(self.layer),
                    str(write_end),
                ],
                env=self.environment,
                cwd=self.workdir,
                stdin=subprocess.PIPE,
                stdout=stdout,
                stderr=stderr,
                text=True,
                pass_fds=(write_end,),
            )
        os.close(write_end)
        self._replies = os.fdopen(read_end, "r")
        return self._process, self._replies

    def _log(self, name: str) -> str:
        path = self.workdir / name
        return path.read_text() if path.exists() else ""
