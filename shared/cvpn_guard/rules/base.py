"""The contract between the evaluation and each rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import JsonValue

from cvpn_guard.endpoint import EndpointState
from cvpn_guard.policy.options import RuleConfig

ConfigT = TypeVar("ConfigT", bound=RuleConfig)


# Fix and RuleResult are NamedTuples: immutable like a frozen dataclass, but several times
# cheaper to build, and every check builds some (see benchmarks/bench_evaluate.py).
class Fix(NamedTuple):
    """Part of one ModifyClientVpnEndpoint call that brings a rule into compliance.

    ``parameters`` are in Modify's own shape (without ``ClientVpnEndpointId``); nested
    structures are complete as the API needs them. ``disruption`` says what the change does
    to users when it drops or resets sessions, None when it does not.
    """

    parameters: Mapping[str, Any]
    disruption: str | None = None


class RuleResult(NamedTuple):
    """What one rule concluded about one endpoint."""

    compliant: bool
    expected: JsonValue = None
    actual: JsonValue = None
    message: str = ""
    fix: Fix | None = None
    unevaluated_reason: str | None = None
    """Set when the rule could not be checked; then ``compliant`` is True (nothing found)."""

    @classmethod
    def violated(
        cls, *, expected: JsonValue, actual: JsonValue, message: str, fix: Fix | None = None
    ) -> RuleResult:
        """The endpoint breaks the rule; ``fix`` when the rule can repair it."""
        return cls(False, expected, actual, message, fix)  # positional: the cheapest call

    @classmethod
    def not_evaluable(cls, reason: str) -> RuleResult:
        """The rule lacks an input to decide; it reports no violation."""
        return cls(True, unevaluated_reason=reason)


PASSED = RuleResult(compliant=True)
"""The result of every rule the endpoint follows (nothing more to say)."""


@dataclass(frozen=True, slots=True)
class Rule(Generic[ConfigT]):
    """A rule: its options model (which carries the rule id) and its check."""

    config_type: type[ConfigT]
    check: Callable[[EndpointState, ConfigT], RuleResult]

    @property
    def rule_id(self) -> str:
        """The rule id, as written in the policy document."""
        return self.config_type.rule_id
