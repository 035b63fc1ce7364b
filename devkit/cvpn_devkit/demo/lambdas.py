"""The demo's two Lambda functions, each invoked in a process of its own.

As in AWS, each function gets exactly the environment template.yaml gives it (plus the
emulator's address and fake credentials); the demo's own process environment is never changed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvpn_devkit.lambda_harness import ACCOUNT, REGION, function_arn, repository_root
from cvpn_devkit.lambda_process import LambdaProcess

ENFORCER = "cvpn-guard-enforcer"
SWEEPER = "cvpn-guard-sweeper"

__all__ = ["ACCOUNT", "ENFORCER", "REGION", "SWEEPER", "DemoLambdas", "repository_root"]


@dataclass
class DemoLambdas:
    """Invokes ``functions/<name>/app.py`` with the layer's source (``shared/``) as its layer."""

    root: Path
    scratch: Path
    base_environment: dict[str, str]
    variables: dict[str, dict[str, str]] = field(default_factory=dict)
    """Function name -> the variables template.yaml gives it."""

    def invoke(self, function: str, name: str, event: dict[str, Any]) -> dict[str, Any]:
        """One invocation of ``functions/<function>`` deployed as ``name``."""
        process = LambdaProcess(python=sys.executable, layer=self.root / "shared")
        environment = {
            **self.base_environment,
            **self.variables.get(name, {}),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "FUNCTION_ARN": function_arn(name),
        }
        return process.invoke(
            self.root / "functions" / function, event, environment, self.scratch / name
        )
