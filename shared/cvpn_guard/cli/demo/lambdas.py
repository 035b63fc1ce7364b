"""Load the Lambda handlers from ``functions/`` and call them as Lambda would."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from cvpn_guard.cli.errors import CliError

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENFORCER = "cvpn-guard-enforcer"
SWEEPER = "cvpn-guard-sweeper"


def repository_root() -> Path:
    """The clone the package runs from (``make install`` installs it in editable mode)."""
    import cvpn_guard

    root = Path(cvpn_guard.__file__).resolve().parents[2]
    if not (root / "functions").is_dir() or not (root / "events").is_dir():
        raise CliError(
            "the demo needs the repository's functions/ and events/ folders: run it from a "
            "clone with `make demo`"
        )
    return root


@dataclass
class FakeLambdaContext:
    """What Powertools reads from Lambda's context object."""

    function_name: str
    invoked_function_arn: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "demo"

    @classmethod
    def for_function(cls, name: str) -> FakeLambdaContext:
        """The context of function ``name`` in the demo's account and region."""
        return cls(
            function_name=name,
            invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
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
    spec = importlib.util.spec_from_file_location(f"cvpn_guard_demo_{function}_app", path)
    if spec is None or spec.loader is None:
        raise CliError(f"cannot load the {function} handler from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(module: ModuleType, event: dict[str, Any], function_name: str) -> dict[str, Any]:
    """Call ``module.lambda_handler`` with a fresh context, as one Lambda invocation.

    What the handler prints (CloudWatch EMF metric blobs: Powertools' ``single_metric``
    ignores POWERTOOLS_METRICS_DISABLED) is kept out of the demo's output, as is Powertools'
    warning about an invocation with no metrics.
    """
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        result: dict[str, Any] = module.lambda_handler(
            event, FakeLambdaContext.for_function(function_name)
        )
    return result
