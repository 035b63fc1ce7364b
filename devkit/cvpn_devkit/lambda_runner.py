"""Invoke one Lambda handler in this process, laid out as the Lambda runtime lays it out.

Started by :mod:`cvpn_devkit.lambda_process` (the demo; the deploy-parity test) as

    python3.12 -I [-S] lambda_runner.py FUNCTION_DIR LAYER_PYTHON_DIR EVENT_FILE RESULT_FILE

``-I`` ignores PYTHON* variables, the user's site folder and this script's folder; ``-S`` also
skips site-packages, so that only the standard library is left on sys.path. This script adds
what the Lambda runtime adds: the function's code (``/var/task``) first, then the layer's
``python/`` (``/opt/python``). With ``-S``, any import only the dev environment could satisfy
fails here, as it would on Lambda.

Standard library only (it must not import what it is testing for). It writes one JSON document
to RESULT_FILE, never to stdout, which belongs to the handler's logs and metrics:
``{"result": ...}`` or ``{"error": ..., "missing_module": ...}``, plus the interpreter and any
loaded module whose file lies outside the function, the layer and the standard library.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import sysconfig
import traceback
import uuid
from pathlib import Path
from typing import Any


class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers read."""

    def __init__(self, function_arn: str) -> None:
        self.function_name = function_arn.rsplit(":", 1)[-1]
        self.invoked_function_arn = function_arn
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "2026/11/30/[$LATEST]parity"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def foreign_modules(allowed: list[Path]) -> list[str]:
    """Loaded modules whose source is not under any of ``allowed`` (built-ins have no file)."""
    found = []
    for name, module in sorted(sys.modules.items()):
        location = getattr(module, "__file__", None)
        if not location:
            continue
        path = Path(location).resolve()
        if path == Path(__file__).resolve():  # this runner, as __main__ (and __mp_main__)
            continue
        if not any(path.is_relative_to(root) for root in allowed):
            found.append(f"{name}: {path}")
    return found


def main(function_dir: str, layer_dir: str, event_file: str, result_file: str) -> int:
    sys.path[:0] = [function_dir, layer_dir]
    outcome: dict[str, Any] = {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "sys_path": list(sys.path),
    }
    try:
        handler = importlib.import_module("app").lambda_handler
        event = json.loads(Path(event_file).read_text())
        outcome["result"] = handler(event, LambdaContext(os.environ["FUNCTION_ARN"]))
    except ModuleNotFoundError as error:
        outcome["error"] = f"ModuleNotFoundError: {error}"
        outcome["missing_module"] = error.name
        outcome["traceback"] = traceback.format_exc()
    except Exception as error:  # report every failure to the test, with its traceback
        outcome["error"] = f"{type(error).__name__}: {error}"
        outcome["traceback"] = traceback.format_exc()
    stdlib = {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib")}
    roots = [Path(function_dir).resolve(), Path(layer_dir).resolve(), *stdlib]
    outcome["foreign_modules"] = foreign_modules(roots)
    Path(result_file).write_text(json.dumps(outcome, default=str))
    return 0 if "result" in outcome else 3


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
