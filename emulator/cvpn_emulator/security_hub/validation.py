"""ASFF's NonEmptyString, checked against botocore's own model of a finding.

Nearly every string of ``AwsSecurityFinding`` is a ``NonEmptyString`` (pattern ``.*\\S.*``,
botocore's securityhub model), and Security Hub refuses a finding with a blank one in
BatchImportFindings' ``FailedFindings`` (``InvalidInput``) while taking the rest of the
batch. botocore sends blank strings (it checks no patterns), so without this check moto
would take what AWS refuses. Messages follow AWS's answers as users have reported them
("Finding does not adhere to Amazon Finding Format. data.Remediation.Recommendation.Text
should NOT be shorter than 1 characters.", aquasecurity/kube-bench#903).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape

NON_EMPTY = r".*\S.*"
# AWS validates with Java regular expressions, whose \S is ASCII-only.
_NON_BLANK = re.compile(NON_EMPTY, re.ASCII)


@cache
def _finding_shape() -> StructureShape:
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.shape_for("AwsSecurityFinding")
    assert isinstance(shape, StructureShape)
    return shape


def _blanks(value: Any, shape: Shape, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                yield from _blanks(item, shape.members[key], f"{path}.{key}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _blanks(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(value, dict):
        for key, item in value.items():
            yield from _blanks(key, shape.key, f"{path} key {key!r}")
            yield from _blanks(item, shape.value, f"{path}[{key!r}]")
    elif (
        isinstance(value, str)
        and shape.metadata.get("pattern") == NON_EMPTY
        and not _NON_BLANK.search(value)
    ):
        yield path, value


def blank_string_problem(finding: dict[str, Any]) -> str | None:
    """Why Security Hub refuses ``finding`` for a blank NonEmptyString (None: it has none)."""
    for path, value in _blanks(finding, _finding_shape(), "data"):
        rule = (
            "should NOT be shorter than 1 characters"
            if value == ""
            else f'should match pattern "{NON_EMPTY}"'
        )
        return f"Finding does not adhere to Amazon Finding Format. {path} {rule}."
    return None
