"""The rules: one module per rule id, each defining one :class:`~cvpn_guard.rules.base.Rule`.

A check reads an :class:`~cvpn_guard.endpoint.EndpointState` and the rule's options and returns
a :class:`~cvpn_guard.rules.base.RuleResult`: compliant or not, expected and actual values, and,
when the rule can repair the endpoint, a :class:`~cvpn_guard.rules.base.Fix` (partial
ModifyClientVpnEndpoint parameters and what the change does to users). The registry
(:mod:`cvpn_guard.rules.registry`) finds every rule module of this package on first use.
"""

from __future__ import annotations

from cvpn_guard.rules.base import PASSED, Fix, Needs, Rule, RuleConfig, RuleResult
from cvpn_guard.rules.registry import all_rules, get_rule, rule_ids

__all__ = [
    "PASSED",
    "Fix",
    "Needs",
    "Rule",
    "RuleConfig",
    "RuleResult",
    "all_rules",
    "get_rule",
    "rule_ids",
]
