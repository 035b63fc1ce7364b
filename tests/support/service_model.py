"""Check AWS answers (moto's, the emulator's) against botocore's current model.

moto answers as AWS did when its code was written: a member AWS has since retired still comes
back, and code reading it passes every test. These helpers say which members the current model
retires (by the date its documentation gives) and which members of an answer the model does
not know at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

# "The <code>Status</code> parameter in the <code>Account</code> object will be retired on
# September 9, 2026" (Organizations): the member names itself, then its retirement date.
_RETIREMENT = re.compile(
    r"<code>(?P<member>\w+)</code> (?:parameter|field|member)[^.]*?"
    r"(?:will be|is|was) retired on (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})"
)


@cache
def operation(service: str, name: str) -> OperationModel:
    """botocore's model of one operation."""
    return botocore.session.get_session().get_service_model(service).operation_model(name)


def retirement_date(shape: StructureShape, member: str) -> date | None:
    """The date the model says ``member`` of ``shape`` is (or will be) retired, if it says so."""
    documentation = shape.members[member].documentation or ""
    for found in _RETIREMENT.finditer(documentation):
        if found["member"] == member:
            return datetime.strptime(found["date"], "%B %d, %Y").date()
    return None


def retired_members(
    service: str, operations: tuple[str, ...], *, today: date
) -> dict[str, frozenset[str]]:
    """Per structure reachable from the operations' outputs: its members retired by ``today``."""
    retired: dict[str, set[str]] = {}
    for name in operations:
        output = operation(service, name).output_shape
        for shape in _structures(output, set()):
            for member in shape.members:
                when = retirement_date(shape, member)
                if when is not None and when <= today:
                    retired.setdefault(shape.name, set()).add(member)
    return {shape: frozenset(members) for shape, members in retired.items()}


def answered_members(answer: Any, shape: Shape | None) -> Iterator[tuple[str, str, str]]:
    """Every (path, structure name, member) of ``answer`` read against ``shape``; a member the
    structure does not know comes out with the structure name ``"?"``."""
    yield from _walk(answer, shape, "")


def _walk(answer: Any, shape: Shape | None, path: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(shape, StructureShape) and isinstance(answer, Mapping):
        for key, value in answer.items():
            if key == "ResponseMetadata":
                continue
            member = shape.members.get(key)
            yield f"{path}.{key}".lstrip("."), shape.name if member else "?", key
            yield from _walk(value, member, f"{path}.{key}")
    elif isinstance(shape, ListShape) and isinstance(answer, list):
        for index, item in enumerate(answer):
            yield from _walk(item, shape.member, f"{path}[{index}]")
    elif isinstance(shape, MapShape) and isinstance(answer, Mapping):
        for key, value in answer.items():
            yield from _walk(value, shape.value, f"{path}.{key}")


def _structures(shape: Shape | None, seen: set[str]) -> Iterator[StructureShape]:
    if shape is None or shape.name in seen:
        return
    seen.add(shape.name)
    if isinstance(shape, StructureShape):
        yield shape
        for member in shape.members.values():
            yield from _structures(member, seen)
    elif isinstance(shape, ListShape):
        yield from _structures(shape.member, seen)
    elif isinstance(shape, MapShape):
        yield from _structures(shape.value, seen)
