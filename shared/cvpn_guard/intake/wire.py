"""Helpers for EC2's CloudTrail wire format (events/README.md says where each fact comes from).

Newer EC2 APIs wrap ``requestParameters`` and ``responseElements`` in ONE key, usually
``<Op>Request`` / ``<Op>Response`` but not always, so unwrapping is generic: the single dict
value, else the top level. List members arrive as a single object when there is one item and
as an array otherwise; scalar items look like ``{"tag": 1, "content": "sg-..."}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def unwrap(section: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """Return the payload of a request/response section, unwrapping a single wrapper key."""
    if not section:
        return {}
    if len(section) == 1:
        (only,) = section.values()
        if isinstance(only, Mapping):
            return only
    return section


def plain(value: Any) -> Any:
    """The wire value in plain JSON: ``{"tag": n, "content": x}`` items become ``x`` and the
    ``tag`` ordinals CloudTrail adds to list members are dropped."""
    if isinstance(value, Mapping):
        if "content" in value and set(value) <= {"tag", "content"}:
            return value["content"]
        return {key: plain(item) for key, item in value.items() if key != "tag"}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def find_key(payload: Mapping[str, Any], *names: str) -> Any:
    """Look a key up case-insensitively: CloudTrail spells ids ``ClientVpnEndpointId`` in
    requests and ``clientVpnEndpointId`` in responses."""
    wanted = {name.lower() for name in names}
    for key, value in payload.items():
        if key.lower() in wanted:
            return value
    return None
