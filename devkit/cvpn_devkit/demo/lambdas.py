"""The demo's two Lambda functions, each invoked in a process of its own.

As in AWS, each function gets exactly the environment template.yaml gives it (plus the
emulator's address and fake credentials); the demo's own process environment is never changed.
A burst of events can be answered by one warm process (``warm=True``), as Lambda reuses an
execution environment; a cold process reads the policy file afresh.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvpn_devkit.demo.warm_lambda import WarmFunction
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
    _warm: dict[str, WarmFunction] = field(default_factory=dict, init=False, repr=False)

    def invoke(
        self, function: str, name: str, event: dict[str, Any], *, warm: bool = False
    ) -> dict[str, Any]:
        """One invocation of ``functions/<function>`` deployed as ``name``; ``warm``: in the
        function's warm process (started now if it has none, or if its variables changed)."""
        environment = {
            **self.base_environment,
            **self.variables.get(name, {}),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "FUNCTION_ARN": function_arn(name),
        }
        function_dir = self.root / "functions" / function
        if warm:
            return self._warm_function(name, function_dir, environment).invoke(event)
        process = LambdaProcess(python=sys.executable, layer=self.root / "shared")
        return process.invoke(function_dir, event, environment, self.scratch / name)

    def close(self) -> None:
        """End the warm processes."""
        for function in self._warm.values():
            function.close()
        self._warm.clear()

    def _warm_function(
        self, name: str, function_dir: Path, environment: dict[str, str]
    ) -> WarmFunction:
        current = self._warm.get(name)
        if current is not None and current.environment == environment:
            return current
        if current is not None:
            current.close()  # new variables: Lambda starts new environments too
        started = WarmFunction(
            sys.executable,
            self.root / "shared",
            function_dir,
            environment,
            self.scratch / f"{name}-warm",
        )
        self._warm[name] = started
        return started
