"""The error raised for one key of an options model or policy section, with its whole message.

``cvpn_guard.policy.problems`` finds these by their type and names the key in the problem it
reports; rules, exemptions and windows raise them.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

KEY_ERROR = "policy_key"
"""Type of the errors raised for one key of an options model: ``ctx["key"]`` names it."""


def key_error(key: str, message: str) -> PydanticCustomError:
    """An error about ``key`` of the model being validated, with a complete message."""
    return PydanticCustomError(KEY_ERROR, "{message}", {"key": key, "message": message})
