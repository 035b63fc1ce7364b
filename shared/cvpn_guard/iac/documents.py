"""A JSON or YAML file as data whose objects remember the line they start on.

Findings point at lines, and the readers that take parsed data (estates, plans) have no text
to search: so the parse keeps each object's (mapping's) and array's first line, on the
value itself (:class:`LineDict`, :class:`LineList`; :func:`line_of` reads it). JSON is read
with the standard library's decoder (its pure-Python scanner, which lets an object and an
array say where they start, as cfn-lint's ``cfnlint.decode.cfn_json`` does), and several
documents written one after the other (the pages of a paginated ``aws ... --no-paginate``
loop appended to one file) are read as a list of documents. YAML is read with PyYAML's safe
loader, with :mod:`cvpn_guard.iac.cfn_loading`'s CloudFormation short-form tags (``!Ref``,
``!Sub``...) in their long form, so a template can be told from other files by its content.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any

import yaml

from cvpn_guard.iac.cfn_loading import TemplateLoader, long_form
from cvpn_guard.iac.declared import SourceError

JSON_STARTS = ("{", "[")
_NEWLINE = re.compile("\n")


class LineDict(dict[str, Any]):
    """A JSON object or YAML mapping, with the (1-based) line it starts on."""

    line: int | None = None


class LineList(list[Any]):
    """A JSON array or YAML sequence, with the (1-based) line it starts on."""

    line: int | None = None


def line_of(value: object) -> int | None:
    """The line ``value`` starts on in its file, None for a scalar or a value built in code."""
    line = getattr(value, "line", None)
    return line if isinstance(line, int) else None


def load_documents(file: str, text: str) -> list[Any]:
    """Every document of a JSON or YAML file (usually one).

    Parameters
    ----------
    file : str
        The file's name, for the error.
    text : str
        Its text.

    Returns
    -------
    list[Any]
        The documents in file order; mappings are :class:`LineDict`, lists :class:`LineList`.

    Raises
    ------
    SourceError
        The text is neither JSON nor YAML: the parser's message and line.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(JSON_STARTS):
        return _json_documents(file, text)
    return _yaml_documents(file, text)


def _json_documents(file: str, text: str) -> list[Any]:
    newlines = [match.start() for match in _NEWLINE.finditer(text)]

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    decoder = _MarkingDecoder(line_at)
    documents: list[Any] = []
    position = _skip_space(text, 0)
    while position < len(text):
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise SourceError(file, f"not valid JSON: {error.msg}", error.lineno) from error
        documents.append(document)
        position = _skip_space(text, position)
    return documents


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in "\ufeff \t\r\n":
        position += 1
    return position


class _MarkingDecoder(json.JSONDecoder):
    """json.JSONDecoder whose objects and arrays say where they start.

    The C scanner calls its own object and array parsers; the pure-Python one
    (``json.scanner.py_make_scanner``) calls the decoder's ``parse_object`` and
    ``parse_array``, which are wrapped here to mark what they return.
    """

    def __init__(self, line_at: Callable[[int], int]) -> None:
        super().__init__()

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[LineDict, int]:
            pairs, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
            marked = LineDict(pairs)
            marked.line = line_at(s_and_end[1] - 1)  # the index after "{"
            return marked, end

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[LineList, int]:
            items, end = json.decoder.JSONArray(s_and_end, *args)  # type: ignore[attr-defined]
            marked = LineList(items)
            marked.line = line_at(s_and_end[1] - 1)
            return marked, end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


class _MarkingLoader(TemplateLoader):
    """The template loader (PyYAML's safe loader with CloudFormation's short-form tags as
    their long form), marking mappings and sequences with their line."""


def _mapping(loader: _MarkingLoader, node: yaml.MappingNode) -> LineDict:
    # YAML keys may be any scalar; every format read here writes text keys.
    marked = LineDict(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    marked.line = node.start_mark.line + 1
    return marked


def _sequence(loader: _MarkingLoader, node: yaml.SequenceNode) -> LineList:
    marked = LineList(loader.construct_sequence(node, deep=True))
    marked.line = node.start_mark.line + 1
    return marked


def _short_form(loader: _MarkingLoader, suffix: str, node: yaml.Node) -> LineDict:
    marked = LineDict(long_form(loader, suffix, node))
    marked.line = node.start_mark.line + 1
    return marked


_MarkingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_MarkingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_MarkingLoader.add_multi_constructor("!", _short_form)


def _yaml_documents(file: str, text: str) -> list[Any]:
    try:
        return list(yaml.load_all(text, Loader=_MarkingLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        problem = error.problem or str(error)
        raise SourceError(
            file, f"not valid YAML: {problem}", mark.line + 1 if mark else None
        ) from error
    except yaml.YAMLError as error:
        raise SourceError(file, f"not valid YAML: {error}") from error
