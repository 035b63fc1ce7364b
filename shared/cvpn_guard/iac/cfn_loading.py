"""A CloudFormation template's text as data, with the line every value is written on.

YAML templates are read by PyYAML's safe loader, their short-form tags (``!Ref``, ``!Sub``,
``!GetAtt``, ``!If``...) turned into the long form CloudFormation also takes (``{"Ref": ...}``,
``{"Fn::Sub": ...}``), as the CloudFormation User Guide's "Intrinsic function reference"
defines them. JSON templates (what CDK and ``sam build`` write) are read by :mod:`json`, so
their values are exactly JSON's; their lines come from composing the same text as YAML, which
JSON mostly is: JSON forbids raw tabs inside strings, so every tab in valid JSON is whitespace
and may become a space (YAML forbids tabs as indentation) without moving a line.

Only PyYAML (already in the Lambda layer) is needed: cfn-lint, which has a decoder of its own,
stays a development tool.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from cvpn_guard.iac.declared import SourceError

Path = tuple[str | int, ...]
"""Where a value sits in the template: mapping keys and list indexes from the top."""


@dataclass(frozen=True)
class LoadedTemplate:
    """A template's data and the line (1-based) of each value, by its path.

    A mapping entry's line is the line of its key, so ``lines[("Resources", "Vpn")]`` is where
    the resource starts and ``lines[("Resources", "Vpn", "Properties", "VpnPort")]`` where
    that property is written.
    """

    data: Any
    lines: Mapping[Path, int]

    def line(self, path: Path) -> int | None:
        """The line of the value at ``path``, None when it has none (a default)."""
        return self.lines.get(path)


def load_template(file: str, text: str) -> LoadedTemplate:
    """Read a template's text, YAML or JSON (CloudFormation's rule: JSON when it starts ``{``).

    Raises
    ------
    SourceError
        The text is neither valid JSON (when it starts with ``{``) nor valid YAML: the
        parser's message and its line.
    """
    if text.lstrip().startswith("{"):
        return _load_json(file, text)
    return _load_yaml(file, text)


def _load_json(file: str, text: str) -> LoadedTemplate:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(file, f"not valid JSON: {error.msg}", error.lineno) from error
    try:
        node = yaml.compose(text.replace("\t", " "), Loader=TemplateLoader)
    except yaml.YAMLError:
        # Valid JSON that YAML 1.1 cannot compose (rare escapes): the values stand, the
        # findings fall back to the file without lines.
        return LoadedTemplate(data, {})
    lines: dict[Path, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return LoadedTemplate(data, lines)


def _load_yaml(file: str, text: str) -> LoadedTemplate:
    loader = TemplateLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise SourceError(
            file, f"not valid YAML: {message}", mark.line + 1 if mark else None
        ) from error
    except yaml.YAMLError as error:
        raise SourceError(file, f"not valid YAML: {error}") from error
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return LoadedTemplate(data, lines)


def _collect_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                here = (*path, key.value)
                lines[here] = key.start_mark.line + 1
                _collect_lines(value, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            here = (*path, index)
            lines[here] = item.start_mark.line + 1
            _collect_lines(item, here, lines)


class TemplateLoader(yaml.SafeLoader):
    """The safe loader, with CloudFormation's short forms and without YAML 1.1 timestamps."""


# A template's dates ("AWSTemplateFormatVersion: 2010-09-09") are strings to CloudFormation.
TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# The tags whose long form is not "Fn::" + the name (User Guide: Ref, Condition functions).
_LONG_FORM = {"Ref": "Ref", "Condition": "Condition"}


def long_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    """The long form of the short-form tag ``!<suffix>`` on ``node`` (``!Ref X`` is
    ``{"Ref": X}``, ``!GetAtt A.B`` is ``{"Fn::GetAtt": [A, B]}``)."""
    name = _LONG_FORM.get(suffix, f"Fn::{suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str):
            # "!GetAtt Vpc.CidrBlock": the logical id, then the attribute (which may hold dots).
            logical_id, _, attribute = value.partition(".")
            value = [logical_id, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


TemplateLoader.add_multi_constructor("!", long_form)
