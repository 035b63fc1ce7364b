"""Turn pydantic's validation errors into problems a policy author can act on.

Paths use the document's own spelling (``rules.session-timeout.max_hours``,
``exemptions[0].expires``); messages say what is wrong and what is allowed, from the field
descriptions of the models, instead of pydantic's raw dump.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from cvpn_guard.exceptions import PolicyProblem
from cvpn_guard.policy.document import RuleSet, rule_set_model
from cvpn_guard.policy_terms.key_errors import KEY_ERROR

Location = tuple[int | str, ...]

_DATE_ERRORS = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_MAPPING_ERRORS = frozenset({"model_type", "model_attributes_type", "dict_type"})
_LIST_ERRORS = frozenset({"tuple_type", "list_type", "iterable_type"})
# pydantic's location of a mapping's key that fails validation ends with this.
_MAPPING_KEY = "[key]"
_QUOTED = re.compile(r"'([^']*)'")
# Errors whose message already says what is allowed.
_SELF_EXPLAINING = frozenset({"value_error", "assertion_error", "literal_error", "enum"})


YamlWord = Callable[[Location], str | None]
"""The unquoted YAML word a boolean at a location was written as (``off``), or None."""

# Where the policy expects text: a boolean there is most likely a YAML 1.1 word (off, yes).
_TEXT_ERRORS = frozenset({"string_type", "literal_error", "enum"})


def problems_from(
    error: ValidationError, root: type[BaseModel], *, yaml_word: YamlWord | None = None
) -> list[PolicyProblem]:
    """One problem per pydantic error, located and worded for the policy author.

    ``yaml_word`` lets a problem explain a boolean that YAML made of an unquoted word.
    """
    errors = error.errors(include_url=False)
    return [
        _problem(details, root, yaml_word)
        for details in errors
        if not _follows_from(details, errors)
    ]


def _follows_from(details: ErrorDetails, errors: Sequence[ErrorDetails]) -> bool:
    # pydantic checks a list's length after dropping its invalid items, so a list of bad
    # items also reads as "too short": report the items only.
    if details["type"] != "too_short":
        return False
    location = tuple(details["loc"])
    return any(
        tuple(other["loc"])[: len(location)] == location and other is not details
        for other in errors
    )


def format_path(location: Iterable[int | str]) -> str:
    """``("exemptions", 0, "rules", 1)`` -> ``exemptions[0].rules[1]``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _problem(
    details: ErrorDetails, root: type[BaseModel], yaml_word: YamlWord | None
) -> PolicyProblem:
    location: Location = tuple(details["loc"])
    if location[-1:] == (_MAPPING_KEY,):
        location = location[:-1]  # the key itself is wrong: its path is the entry's
    kind = details["type"]
    context = details.get("ctx") or {}
    if kind == KEY_ERROR:
        return PolicyProblem(format_path((*location, context["key"])), str(context["message"]))
    if kind == "extra_forbidden":
        return PolicyProblem(format_path(location), _unknown_key(root, location))
    field = _field_at(root, location)
    allowed = field.description if field is not None else None
    word = None
    if yaml_word is not None and kind in _TEXT_ERRORS and isinstance(details.get("input"), bool):
        word = yaml_word(location)
    message = _describe(details, word)
    if allowed and kind not in _SELF_EXPLAINING:
        message = f"{message}; allowed: {allowed}"
    return PolicyProblem(format_path(location), message)


def _describe(details: ErrorDetails, word: str | None = None) -> str:
    kind = details["type"]
    context = details.get("ctx") or {}
    got = _shown(details.get("input"))
    # e.g. ": YAML reads the unquoted word off as false; quote it ("off")"
    why = f': YAML reads the unquoted word {word} as {got}; quote it ("{word}")' if word else ""
    if kind == "missing":
        return "is required but missing"
    if kind == "value_error":
        return str(context.get("error", details["msg"]))
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {got}"
    if kind == "string_type":
        return f"must be text, got {got}{why}"
    if kind in ("literal_error", "enum"):
        expected = str(context.get("expected", ""))
        hint = _did_you_mean(details.get("input"), expected)
        return f"{got} is not allowed{why}; {hint}it must be {expected}"
    if kind == "greater_than_equal":
        return f"{got} is too small, it must be at least {context.get('ge')}"
    if kind == "too_short":
        minimum = context.get("min_length")
        return "must not be empty" if minimum == 1 else f"must list at least {minimum} items"
    if kind == "too_long":
        maximum, actual = context.get("max_length"), context.get("actual_length")
        return f"must list at most {maximum}, got {actual}"
    if kind in _LIST_ERRORS:
        return f"must be a list, got {got}"
    if kind in _MAPPING_ERRORS:
        return f"must be a mapping of keys to values, got {got}"
    if kind in _DATE_ERRORS:
        return f"{got} is not a date; write YYYY-MM-DD, e.g. 2027-01-31"
    message = details["msg"]
    return message[:1].lower() + message[1:]


def _did_you_mean(value: Any, expected: str) -> str:
    """``did you mean 'x'? `` for a text close to one of pydantic's ``'a', 'b' or 'c'``."""
    if not isinstance(value, str):
        return ""
    allowed = _QUOTED.findall(expected)
    by_lower = {choice.lower(): choice for choice in allowed}
    close = difflib.get_close_matches(value.lower(), by_lower, n=1)
    return f"did you mean {by_lower[close[0]]!r}? " if close else ""


def _shown(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown_key(root: type[BaseModel], location: Location) -> str:
    key = str(location[-1])
    model = _model_at(root, location[:-1])
    if model is None:
        return f"unknown key {key!r}"
    allowed = [info.alias or name for name, info in model.model_fields.items()]
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    noun = "rule" if location[:-1] == ("rules",) else "key"
    return f"unknown {noun} {key!r}; {hint}allowed {noun}s: {', '.join(allowed)}"


def _field_at(root: type[BaseModel], location: Location) -> FieldInfo | None:
    """The model field a location ends at, or None when it ends inside a list or a value."""
    if not location or not isinstance(location[-1], str):
        return None
    model = _model_at(root, location[:-1])
    return _lookup(model, location[-1]) if model is not None else None


def _model_at(root: type[BaseModel], location: Sequence[int | str]) -> type[BaseModel] | None:
    """Follow a location through fields, list items and mapping entries to its model."""
    current: Any = root
    for part in location:
        current = _registered(_strip(current))
        if isinstance(part, int):
            args = [arg for arg in typing.get_args(current) if arg is not Ellipsis]
            if typing.get_origin(current) not in (tuple, list) or not args:
                return None
            current = args[0]
            continue
        if typing.get_origin(current) in (dict, Mapping):
            current = typing.get_args(current)[1]  # a named entry: the mapping's value type
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = _lookup(current, part)
        if field is None:
            return None
        current = field.annotation
    current = _registered(_strip(current))
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _registered(annotation: Any) -> Any:
    """The rules' model as registered now, where a location passes ``Policy.rules``."""
    return rule_set_model() if annotation is RuleSet else annotation


def _lookup(model: type[BaseModel], key: str) -> FieldInfo | None:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info
    return None


def _strip(annotation: Any) -> Any:
    """Drop ``Annotated`` metadata and ``| None`` from a type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
