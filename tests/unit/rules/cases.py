"""One row of the rule matrix: a violation of the rule, the fix it must plan, and how it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cvpn_guard.endpoint_calls import EndpointCall
from cvpn_guard.policy import Severity


@dataclass(frozen=True)
class RuleCase:
    rule: str
    violation: dict[str, Any]  # Describe keys replaced
    fix: dict[str, Any] | None  # the Modify parameters planned; None: none
    disruptive: bool = False
    severity: Severity = Severity.MEDIUM
    authorization_rules: tuple[dict[str, Any], ...] = field(default=())
    reads: dict[str, Any] = field(default_factory=dict)  # other reads replaced (build_state)
    calls: tuple[EndpointCall, ...] = ()  # the other calls planned

    @property
    def fixable(self) -> bool:
        return self.fix is not None or bool(self.calls)

    def __str__(self) -> str:
        return self.rule
