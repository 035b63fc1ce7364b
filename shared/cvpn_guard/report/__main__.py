"""``python -m cvpn_guard.report`` prints the report's JSON Schema (what ``schemas/`` holds)."""

from __future__ import annotations

from cvpn_guard.report.model import json_schema

print(json_schema(), end="")
