"""Checks every report test shares: the JSON Schema, and reassembling what SNS delivered."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from cvpn_guard.report import is_part, join_parts, json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schemas" / "compliance-report.schema.json"
SNS_MESSAGE_LIMIT = 262_144


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    # The committed schema is what subscribers validate against; fall back to the models'
    # schema while the file is being generated.
    text = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else json_schema()
    return jsonschema.Draft202012Validator(json.loads(text))


def assert_valid_report(document: Mapping[str, Any]) -> None:
    """The document is a compliance report by the JSON Schema (every error listed)."""
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in _validator().iter_errors(document)
    ]
    assert not errors, "\n".join(errors[:20])


def report_document(notices: Sequence[Mapping[str, Any]]) -> str:
    """The report JSON carried by the SNS envelopes of one sweep (joined when split)."""
    reports = [n for n in notices if n["MessageAttributes"]["kind"]["Value"] == "report"]
    assert reports, "no report arrived"
    for notice in reports:
        assert len(notice["Message"].encode()) < SNS_MESSAGE_LIMIT
    messages = [json.loads(notice["Message"]) for notice in reports]
    if len(messages) == 1 and not is_part(messages[0]):
        return str(reports[0]["Message"])
    assert all(is_part(message) for message in messages)
    return join_parts(messages)
