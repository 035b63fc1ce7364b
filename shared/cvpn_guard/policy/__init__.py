"""The org policy: its document model and how to load it.

Names are resolved on first use (PEP 562): importing one submodule (``cvpn_guard.policy.windows``)
must not load the document model, which is built from the registered rules. The vocabularies
re-exported here (``Mode``, ``Severity``...) live below the rules, in ``cvpn_guard.policy_terms``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cvpn_guard.policy.document import Policy, PolicyIdentity, RuleSet
    from cvpn_guard.policy.loader import default_policy, load_policy, load_policy_file
    from cvpn_guard.policy.windows import (
        WINDOW_TAG,
        DisruptiveFixes,
        MaintenanceWindow,
        WindowOpening,
    )
    from cvpn_guard.policy_terms.enums import DisruptiveFixTiming, Mode, Severity, Weekday

_HOMES = {
    "Policy": "document",
    "PolicyIdentity": "document",
    "RuleSet": "document",
    "DisruptiveFixTiming": "cvpn_guard.policy_terms.enums",
    "Mode": "cvpn_guard.policy_terms.enums",
    "Severity": "cvpn_guard.policy_terms.enums",
    "Weekday": "cvpn_guard.policy_terms.enums",
    "WINDOW_TAG": "windows",
    "DisruptiveFixes": "windows",
    "MaintenanceWindow": "windows",
    "WindowOpening": "windows",
    "default_policy": "loader",
    "load_policy": "loader",
    "load_policy_file": "loader",
}

__all__ = [
    "WINDOW_TAG",
    "DisruptiveFixTiming",
    "DisruptiveFixes",
    "MaintenanceWindow",
    "Mode",
    "Policy",
    "PolicyIdentity",
    "RuleSet",
    "Severity",
    "Weekday",
    "WindowOpening",
    "default_policy",
    "load_policy",
    "load_policy_file",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = home if home.startswith("cvpn_guard.") else f"cvpn_guard.policy.{home}"
    return getattr(importlib.import_module(module), name)
