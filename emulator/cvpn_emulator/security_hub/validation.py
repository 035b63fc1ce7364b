"""ASFF's NonEmptyString and list limits, checked against botocore's own model of a finding.

Nearly every string of ``AwsSecurityFinding`` is a ``NonEmptyString`` (pattern ``.*\\S.*``,
botocore's securityhub model), and Security Hub refuses a finding with a blank one in
BatchImportFindings' ``FailedFindings`` (``InvalidInput``) while taking the rest of the
batch. botocore sends blank strings (it checks no patterns), so without this check moto
would take what AWS refuses. Messages follow AWS's answers as users have reported them
("Finding does not adhere to Amazon Finding Format. data.Remediation.Recommendation.Text
should NOT be shorter than 1 characters.", aquasecurity/kube-bench#903).

Lists have limits too that botocore's model states only in the member's documentation
("Array Members: Maximum number of 32 items" for ``Compliance.RelatedRequirements``,
``Resources``, ``Threats``; 50 for ``Types``): moto takes any length, so a longer list is
refused here in the same words as a blank string.
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


_MAXIMUM_ITEMS = re.compile(r"Maximum number of (\d+) items")


def _too_long(value: Any, shape: Shape, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                continue
            limit = _MAXIMUM_ITEMS.search(member.documentation or "")
            if limit and isinstance(item, list) and len(item) > int(limit.group(1)):
                yield f"{path}.{key}", int(limit.group(1))
            yield from _too_long(item, member, f"{path}.{key}")
    elif isinstance(shape, ListShape) and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _too_long(item, shape.member, f"{path}[{index}]")


def too_many_items_problem(finding: dict[str, Any]) -> str | None:
    """Why Security Hub refuses ``finding`` for a list longer than the model documents."""
    for path, limit in _too_long(finding, _finding_shape(), "data"):
        return (
            f"Finding does not adhere to Amazon Finding Format. {path} should NOT have more "
            f"than {limit} items."
        )
    return None


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
