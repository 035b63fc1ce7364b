"""EventBridge's rule matching, by a real implementation: LocalStack's port of AWS's Event Ruler.

moto 5.2's matcher (``moto.events.models.EventPattern``) handles ``$or``, ``prefix``,
``anything-but`` and ``exists``, but does not look inside arrays of objects: it never sees
``requestParameters.resourcesSet.items[].resourceId`` of a CreateTags event, which EventBridge
matches when any item matches. LocalStack's engine flattens arrays as Event Ruler does, and
also validates a pattern the way EventBridge does before it is used.
"""

from __future__ import annotations

import importlib
import sys
import types
from functools import cache
from typing import Any
from unittest import mock

_ENGINE = "localstack.services.events.event_rule_engine"
_ITS_ONE_IMPORT = "localstack.aws.api.events"


class InvalidEventPatternError(Exception):
    """EventBridge would refuse the pattern (LocalStack raises this in its place)."""


@cache
def _engine() -> Any:
    # The engine imports one exception class from LocalStack's generated API module, whose
    # package pulls in LocalStack's whole runtime (pinned boto3, rolo, ...): hand it just that.
    api = types.ModuleType(_ITS_ONE_IMPORT)
    api.InvalidEventPatternException = InvalidEventPatternError  # type: ignore[attr-defined]
    with mock.patch.dict(sys.modules, {_ITS_ONE_IMPORT: api}):
        sys.modules.pop(_ENGINE, None)
        return importlib.import_module(_ENGINE)


def compile_pattern(pattern: dict[str, Any]) -> dict[str, Any]:
    """The pattern as EventBridge accepts it; raises InvalidEventPatternError otherwise."""
    compiled: dict[str, Any] = _engine().EventPatternCompiler().compile_event_pattern(pattern)
    return compiled


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether a rule with ``pattern`` receives ``event``."""
    result = _engine().EventRuleEngine().evaluate_pattern_on_event(compile_pattern(pattern), event)
    return bool(result)
