"""X-Ray tracing of a Lambda handler with Powertools' Tracer, loaded only when tracing is on.

Creating a Tracer imports the X-Ray SDK (with asyncio and wrapt): a large share of a handler's
cold start. A function deployed with ``POWERTOOLS_TRACE_DISABLED=true`` never loads it. With
tracing on, only botocore is patched: AWS calls are the only network calls the functions make,
and Powertools' default (patch everything the SDK supports) would also import sqlite3 and the
HTTP libraries for nothing.

The variable is read when the handler module is imported, as Powertools reads it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.shared import constants
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice

Handler = TypeVar("Handler", bound=Callable[..., Any])

PATCHED_MODULES = ("botocore",)


def tracing_disabled() -> bool:
    """Whether ``POWERTOOLS_TRACE_DISABLED`` turns tracing off (Powertools' own reading)."""
    return resolve_truthy_env_var_choice(env=os.getenv(constants.TRACER_DISABLED_ENV, "false"))


def trace_lambda_handler(service: str) -> Callable[[Handler], Handler]:
    """Powertools' ``capture_lambda_handler`` for ``service``; the handler itself when tracing
    is disabled."""
    if tracing_disabled():
        return lambda handler: handler
    # Importing Tracer costs little; constructing one imports the X-Ray SDK.
    tracer = Tracer(service=service, patch_modules=PATCHED_MODULES)
    return cast(Callable[[Handler], Handler], tracer.capture_lambda_handler)
