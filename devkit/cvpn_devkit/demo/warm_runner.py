"""Invoke one Lambda handler again and again in this process: a warm execution environment.

Started by :mod:`cvpn_devkit.demo.warm_lambda` as

    python -I warm_runner.py FUNCTION_DIR LAYER_PYTHON_DIR REPLY_FD

laid out as :mod:`cvpn_devkit.lambda_runner` lays out one invocation (the function's code
first, then the layer), but the handler is imported once and each line on stdin,
``{"event": EVENT_FILE, "result": RESULT_FILE}``, is one invocation: as Lambda reuses an
execution environment for the events that follow, module state (clients, the policy read at
start) included. Each result is written as lambda_runner writes it, then one line on REPLY_FD
says it is there (stdout belongs to the handler's logs and metrics).

Standard library only, like lambda_runner.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

_ONE_SHOT = Path(__file__).resolve().parents[1] / "lambda_runner.py"


def _context_class() -> Any:
    # The one-shot runner's context, loaded from its file (its folder stays off sys.path).
    spec = importlib.util.spec_from_file_location("cvpn_lambda_runner", _ONE_SHOT)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {_ONE_SHOT}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LambdaContext


def main(function_dir: str, layer_dir: str, reply_fd: str) -> int:
    sys.path[:0] = [function_dir, layer_dir]
    context = _context_class()
    handler: Any = None
    with os.fdopen(int(reply_fd), "w", buffering=1) as reply:
        for line in sys.stdin:
            request = json.loads(line)
            outcome: dict[str, Any] = {}
            try:
                if handler is None:
                    handler = importlib.import_module("app").lambda_handler
                event = json.loads(Path(request["event"]).read_text())
                outcome["result"] = handler(event, context(os.environ["FUNCTION_ARN"]))
            except Exception as error:  # reported to the demo, with its traceback
                outcome["error"] = f"{type(error).__name__}: {error}"
                outcome["traceback"] = traceback.format_exc()
            Path(request["result"]).write_text(json.dumps(outcome, default=str))
            reply.write("done\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
