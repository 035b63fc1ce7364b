"""The tracing a function gets as template.yaml deploys it with its defaults, as an environment.

The cold-path targets hold for the template's defaults, whatever they are: the function's own
``Tracing`` (else ``Globals: Function: Tracing``) is evaluated with every parameter at its
default (``cvpn_devkit.cfn.Deployed``: a ``!Ref`` to a ``Tracing`` parameter, an ``!If`` on a
condition), and so are the tracing variables the template sets (any variable whose name holds
``TRAC``, such as ``POWERTOOLS_TRACE_DISABLED``), Globals first, the function's own over them.

What Lambda adds for each mode (API ``TracingConfig``: ``Active`` or ``PassThrough``, the
default): with ``Active`` it samples the request itself and hands the function a sampled trace
header and the X-Ray daemon's address; with ``PassThrough`` it traces only a request whose
upstream header says ``Sampled=1``, and CloudTrail's events through EventBridge carry none, so
the header says ``Sampled=0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cvpn_devkit.cfn import Deployed, TemplateError

from tests.support.template import source_template

TRACE_ROOT = "Root=1-674a1b2c-0123456789abcdef01234567;Parent=53995c3f42cd8ad8"
LAMBDA_TRACING: dict[str, dict[str, str]] = {
    "Active": {
        "_X_AMZN_TRACE_ID": f"{TRACE_ROOT};Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    },
    "PassThrough": {"_X_AMZN_TRACE_ID": f"{TRACE_ROOT};Sampled=0"},
}
DEFAULT_MODE = "PassThrough"  # what Lambda applies when a function names no TracingConfig


@dataclass(frozen=True)
class Tracing:
    """One function's tracing as deployed: Lambda's mode and what its environment holds."""

    mode: str
    template_variables: dict[str, str]

    @property
    def environment(self) -> dict[str, str]:
        """What the function's process sees of tracing: Lambda's variables, then the template's."""
        return {**LAMBDA_TRACING[self.mode], **self.template_variables}

    def label(self) -> str:
        """``Tracing Active`` or, with the template's own variables, ``Tracing PassThrough,
        POWERTOOLS_TRACE_DISABLED=true``."""
        variables = ", ".join(f"{k}={v}" for k, v in sorted(self.template_variables.items()))
        return f"Tracing {self.mode}" + (f", {variables}" if variables else "")


def _tracing_variables(properties: dict[str, Any]) -> dict[str, str]:
    variables = properties.get("Environment", {}).get("Variables", {})
    return {name: str(value) for name, value in variables.items() if "TRAC" in name.upper()}


def deployed_tracing(function: str, template: dict[str, Any] | None = None) -> Tracing:
    """The tracing of resource ``function`` (say ``EnforcerFunction``) with the defaults.

    Raises TemplateError when the template names no such function or a mode Lambda lacks.
    """
    template = template if template is not None else source_template()
    if function not in template.get("Resources", {}):
        raise TemplateError(f"template.yaml has no resource {function}")
    deployed = Deployed(template)
    globals_ = deployed.value(template.get("Globals", {}).get("Function", {}))
    own = deployed.resource(function)
    mode = own.get("Tracing", globals_.get("Tracing", DEFAULT_MODE))
    if mode not in LAMBDA_TRACING:
        raise TemplateError(
            f"{function}'s Tracing is {mode!r}; Lambda takes {sorted(LAMBDA_TRACING)}"
        )
    return Tracing(mode, {**_tracing_variables(globals_), **_tracing_variables(own)})
