"""Call the Lambda handlers of ``functions/`` in this process, as Lambda would (tests use it).

In-process calls read their configuration from this process's environment, so they suit
tests that set it per case (pytest's monkeypatch). To run a handler with an environment of its
own, as a separate Lambda would, use :mod:`cvpn_devkit.lambda_process`.
"""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def repository_root() -> Path:
    """The clone this package runs from (``make install`` installs it in editable mode)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "functions").is_dir() or not (root / "events").is_dir():
        raise RuntimeError(
            "the demo and the Lambda harness need the repository's functions/ and events/ "
            "folders: run them from a clone (make demo, make test)"
        )
    return root


def function_arn(name: str) -> str:
    """The ARN of function ``name`` in the dev account and region."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@dataclass
class FakeLambdaContext:
    """What Powertools reads from Lambda's context object."""

    function_name: str
    invoked_function_arn: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "dev"

    @classmethod
    def for_function(cls, name: str) -> FakeLambdaContext:
        """The context of function ``name`` in the dev account and region."""
        return cls(
            function_name=name,
            invoked_function_arn=function_arn(name),
            log_group_name=f"/aws/lambda/{name}",
        )

    def get_remaining_time_in_millis(self) -> int:
        """Lambda's remaining time; the handlers do not budget on it."""
        return 300_000


def load_handler(root: Path, function: str) -> ModuleType:
    """Import ``functions/<function>/app.py`` by file path, as Lambda does (not a package).

    Call it after the environment is set: the module builds its Logger, Metrics and Tracer
    at import time from POWERTOOLS_* variables.
    """
    path = root / "functions" / function / "app.py"
    spec = importlib.util.spec_from_file_location(f"cvpn_devkit_{function}_app", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the {function} handler from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
