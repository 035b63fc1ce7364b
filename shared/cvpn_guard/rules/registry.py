"""The registry of rules: every :class:`~cvpn_guard.rules.base.Rule` subclass, by id and order.

Built-in rules are the modules of the ``cvpn_guard.rules`` package, imported on first use (not
at import: the policy package and the rules import each other's leaf modules). A rule defined
anywhere else (a test, a plug-in) registers the same way and can be removed again.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from typing import TYPE_CHECKING, Any

from cvpn_guard.exceptions import CvpnGuardError

if TYPE_CHECKING:
    from cvpn_guard.rules.base import Rule

RULE_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_INFRASTRUCTURE = frozenset({"base", "controls", "registry"})


class RuleDefinitionError(CvpnGuardError):
    """A rule class is incomplete or clashes with another (a programming error)."""


class RuleRegistry:
    """Rules by id and in evaluation order."""

    def __init__(self, builtin_package: str) -> None:
        self._package = builtin_package
        self._rules: dict[str, type[Rule[Any]]] = {}
        self._ordered: tuple[type[Rule[Any]], ...] = ()
        self._builtins_loaded = False
        self._loading = threading.RLock()

    def register(self, rule: type[Rule[Any]]) -> None:
        for attribute in ("id", "options", "fixable", "reads", "example"):
            if not hasattr(rule, attribute):
                raise RuleDefinitionError(f"rule {rule.__qualname__} does not set {attribute}")
        if getattr(rule.check, "__isabstractmethod__", False):
            raise RuleDefinitionError(f"rule {rule.__qualname__} does not define check")
        if not RULE_ID.fullmatch(rule.id):
            raise RuleDefinitionError(f"rule id {rule.id!r} is not lowercase words joined by '-'")
        if rule.id in self._rules and self._rules[rule.id] is not rule:
            raise RuleDefinitionError(f"two rules are called {rule.id!r}")
        if getattr(rule.options, "rule", rule) is not rule:
            raise RuleDefinitionError(f"{rule.options.__name__} already configures another rule")
        rule.options.rule_id = rule.id
        rule.options.rule = rule
        self._rules[rule.id] = rule
        self._changed()

    def unregister(self, rule_id: str) -> None:
        self._rules.pop(rule_id, None)
        self._changed()

    def ordered(self) -> tuple[type[Rule[Any]], ...]:
        self._load_builtins()
        return self._ordered

    def get(self, rule_id: str) -> type[Rule[Any]]:
        self._load_builtins()
        return self._rules[rule_id]

    def _changed(self) -> None:
        self._ordered = tuple(sorted(self._rules.values(), key=lambda r: (r.order, r.id)))

    def _load_builtins(self) -> None:
        # Importing a rule module defines its Rule subclass, which registers it. Threads (the
        # sweep's regions) may ask at once: the lock makes them wait for the complete set, and
        # the flag is set only once every module is in.
        if self._builtins_loaded:
            return
        with self._loading:
            if self._builtins_loaded:
                return
            package = importlib.import_module(self._package)
            for module in pkgutil.iter_modules(package.__path__):
                if module.name not in _INFRASTRUCTURE:
                    importlib.import_module(f"{self._package}.{module.name}")
            self._builtins_loaded = True


_REGISTRY = RuleRegistry("cvpn_guard.rules")


def register_rule(rule: type[Rule[Any]]) -> None:
    """Add ``rule``; called by ``Rule.__init_subclass__`` when a rule class is defined."""
    _REGISTRY.register(rule)


def unregister_rule(rule_id: str) -> None:
    """Remove a rule (tests that define their own rule clean up with this)."""
    _REGISTRY.unregister(rule_id)


def all_rules() -> tuple[type[Rule[Any]], ...]:
    """Every registered rule, in evaluation order."""
    return _REGISTRY.ordered()


def rule_ids() -> tuple[str, ...]:
    """Every rule id a policy may configure, in evaluation order."""
    return tuple(rule.id for rule in all_rules())


def get_rule(rule_id: str) -> type[Rule[Any]]:
    """The rule called ``rule_id``; KeyError when there is none."""
    return _REGISTRY.get(rule_id)
