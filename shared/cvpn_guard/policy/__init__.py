"""The org policy: its document model and how to load it."""

from __future__ import annotations

from cvpn_guard.policy.document import Policy, PolicyIdentity, RuleSet
from cvpn_guard.policy.enums import Mode, Severity
from cvpn_guard.policy.loader import default_policy, load_policy, load_policy_file

__all__ = [
    "Mode",
    "Policy",
    "PolicyIdentity",
    "RuleSet",
    "Severity",
    "default_policy",
    "load_policy",
    "load_policy_file",
]
