"""Checks every report test shares: the JSON Schema, and merging the parts SNS delivered."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from cvpn_guard.report import (
    DEFAULT_MAX_PART_BYTES,
    ComplianceReport,
    json_schema,
    merge_parts,
)

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


def report_parts(notices: Sequence[Mapping[str, Any]]) -> list[ComplianceReport]:
    """The report notices of one sweep, each checked as a part must be.

    Every part is within the byte budget, valid against the schema, and carries the same
    report id and the whole report's summary; its attributes say which part it is.
    """
    reports = [n for n in notices if n["MessageAttributes"]["kind"]["Value"] == "report"]
    assert reports, "no report arrived"
    parts = []
    for notice in reports:
        assert len(notice["Message"].encode()) <= DEFAULT_MAX_PART_BYTES
        document = json.loads(notice["Message"])
        assert_valid_report(document)
        part = ComplianceReport.model_validate(document)
        numbered = ("1", "1") if part.part is None else (str(part.part.index), str(part.part.count))
        attributes = notice["MessageAttributes"]
        assert (attributes["part"]["Value"], attributes["parts"]["Value"]) == numbered
        parts.append(part)
    assert len({part.report_id for part in parts}) == 1
    assert all(part.summary == parts[0].summary for part in parts)
    return parts


def report_document(notices: Sequence[Mapping[str, Any]]) -> str:
    """The report JSON carried by the SNS envelopes of one sweep (merged when split)."""
    return merge_parts(report_parts(notices)).to_json()
