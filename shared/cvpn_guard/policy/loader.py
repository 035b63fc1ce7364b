"""Read a policy document from YAML or JSON text, a file, or the package's default."""

from __future__ import annotations

import functools
import json
import os
import re
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from cvpn_guard.exceptions import PolicyError, PolicyProblem
from cvpn_guard.policy.document import Policy
from cvpn_guard.policy.exemptions import selector_problem
from cvpn_guard.policy.problems import problems_from

DEFAULT_POLICY_RESOURCE = "default.yaml"
# Far above any real policy (an SSM parameter holds at most 8 KB), low enough that a hostile
# document cannot make the loader spend seconds or megabytes.
MAX_POLICY_CHARACTERS = 1_000_000


def load_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Parse and validate a policy document.

    Parameters
    ----------
    text : str
        The document, in YAML or JSON (text that starts with ``{`` is read as JSON). YAML
        dates such as ``2027-01-31`` are understood; a key written twice is an error.
    source : str
        Where the text comes from, used to prefix every error line.

    Returns
    -------
    Policy
        The validated, frozen policy.

    Raises
    ------
    PolicyError
        The text is not YAML/JSON (with line and column), or the document is not a valid
        policy (one problem per wrong key, with its path and what is allowed).
    """
    if len(text) > MAX_POLICY_CHARACTERS:
        raise PolicyError(
            [
                PolicyProblem(
                    "",
                    f"the document has {len(text):,} characters; the limit is {MAX_POLICY_CHARACTERS:,}",
                )
            ],
            source=source,
        )
    data = _parse(text, source)
    bad_text = _first_invalid_text(data)
    if bad_text is not None:
        raise PolicyError(
            [
                PolicyProblem(
                    bad_text,
                    "contains a character that is not valid Unicode text (a lone surrogate)",
                )
            ],
            source=source,
        )
    if data is None:
        raise PolicyError(
            [PolicyProblem("", "the policy is empty; it needs at least version and rules")],
            source=source,
        )
    if not isinstance(data, dict):
        raise PolicyError(
            [PolicyProblem("", "a policy must be a mapping with version, mode, rules, ...")],
            source=source,
        )
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        # Only on failure: a valid document is parsed once, as the Lambdas need.
        words = None if _is_json(text) else _YamlWords(text)
        problems = problems_from(error, Policy, yaml_word=words)
        raise PolicyError(_with_unreached_problems(problems, data), source=source) from None


def load_policy_file(path: str | os.PathLike[str]) -> Policy:
    """Read and validate the policy document in a file (YAML or JSON).

    Parameters
    ----------
    path : str | os.PathLike[str]
        The file. Its name prefixes every error line.

    Returns
    -------
    Policy
        The validated, frozen policy.

    Raises
    ------
    PolicyError
        The file is missing, unreadable or not UTF-8, or its content is not a valid policy.
    """
    source = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise PolicyError(
            [PolicyProblem("", f"cannot read the policy file: {reason}")], source=source
        ) from error
    return load_policy(decode_policy(data, source=source), source=source)


def decode_policy(data: bytes, *, source: str = "<policy>") -> str:
    """The text of a policy document's bytes, read as a file is (UTF-8, any line ends).

    Parameters
    ----------
    data : bytes
        The document as stored.
    source : str
        Where the bytes come from, used to prefix the error line.

    Returns
    -------
    str
        The text, its line ends turned into ``\\n`` as ``open()`` does.

    Raises
    ------
    PolicyError
        The bytes are not UTF-8 (with the offset of the first bad byte).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PolicyError(
            [PolicyProblem("", f"the policy file is not UTF-8 text (byte {error.start})")],
            source=source,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@functools.cache
def default_policy() -> Policy:
    """The org baseline shipped inside the package (``cvpn_guard/policy/default.yaml``).

    Returns
    -------
    Policy
        The same frozen instance on every call.
    """
    text = resources.files(__package__).joinpath(DEFAULT_POLICY_RESOURCE).read_text("utf-8")
    return load_policy(text, source=f"cvpn_guard/policy/{DEFAULT_POLICY_RESOURCE}")


_TOO_DEEP = "the document is nested too deeply to be a policy"


def _is_json(text: str) -> bool:
    return text.lstrip().startswith("{")


def _parse(text: str, source: str) -> Any:
    if _is_json(text):
        try:
            return json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            message = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        except _DuplicateKeyError as error:
            message = f"invalid JSON: {error}"
        except RecursionError:
            message = f"invalid JSON: {_TOO_DEEP}"
        raise PolicyError([PolicyProblem("", message)], source=source)
    try:
        return yaml.load(text, Loader=_PolicyYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        raise PolicyError([PolicyProblem("", _yaml_message(error))], source=source) from None
    except yaml.reader.ReaderError as error:
        raise PolicyError(
            [PolicyProblem("", _reader_message(text, error))], source=source
        ) from None
    except yaml.YAMLError as error:
        raise PolicyError([PolicyProblem("", f"invalid YAML: {error}")], source=source) from None
    except RecursionError:
        raise PolicyError(
            [PolicyProblem("", f"invalid YAML: {_TOO_DEEP}")], source=source
        ) from None


def _with_unreached_problems(
    problems: list[PolicyProblem], data: dict[Any, Any]
) -> list[PolicyProblem]:
    """``problems`` and what an exemption with a wrong value also lacks (a reason, a selector).

    pydantic runs an exemption's own checks only when all its values are valid; asking the raw
    document too reports every problem in one pass. Each is placed after its exemption's others.
    Linear in the number of problems: a hostile document may have thousands of exemptions.
    """
    exemptions = data.get("exemptions")
    if not isinstance(exemptions, list):
        return problems
    known = set(problems)
    last_of: dict[int, int] = {}  # exemption index -> position of its last problem
    for position, problem in enumerate(problems):
        match = _EXEMPTION_PATH.match(problem.path)
        if match is not None:
            last_of[int(match.group(1))] = position
    after: dict[int, list[PolicyProblem]] = {}  # position -> problems to insert after it
    for index, raw in enumerate(exemptions):
        if not isinstance(raw, dict):
            continue
        lacking = selector_problem(
            endpoint_id=raw.get("endpoint_id") is not None,
            tag=raw.get("tag") is not None,
            reason=raw.get("reason") is not None,
        )
        if lacking is None:
            continue
        key, message = lacking
        base = f"exemptions[{index}]"
        problem = PolicyProblem(f"{base}.{key}" if key else base, message)
        if problem not in known:  # else the model's own check ran and said so
            known.add(problem)
            after.setdefault(last_of.get(index, len(problems) - 1), []).append(problem)
    if not after:
        return problems
    result: list[PolicyProblem] = []
    for position, problem in enumerate(problems):
        result.append(problem)
        result.extend(after.get(position, ()))
    result.extend(after.get(-1, ()))  # no problem listed before them
    return result


_EXEMPTION_PATH = re.compile(r"exemptions\[(\d+)\](?:$|[.\[])")


# The words YAML 1.1 (PyYAML's resolver) reads as booleans besides true and false.
_SURPRISING_BOOLEANS = frozenset({"yes", "no", "on", "off"})
_BOOL_TAG = "tag:yaml.org,2002:bool"


class _YamlWords:
    """The unquoted word behind a boolean at a key path (``off`` for ``mode: off``), if any.

    Reads the document's node tree (which keeps each scalar's text) on first use only.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False
        # Each mapping indexed once: a hostile document may ask thousands of lookups.
        self._indexed: dict[int, dict[str, yaml.Node]] = {}

    def __call__(self, location: tuple[int | str, ...]) -> str | None:
        node = self._node_at(location)
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag == _BOOL_TAG
            and node.style is None  # plain: a quoted word is text already
            and node.value.lower() in _SURPRISING_BOOLEANS
        ):
            return str(node.value)
        return None

    def _node_at(self, location: tuple[int | str, ...]) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=_PolicyYamlLoader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        node = self._root
        for part in location:
            if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            elif isinstance(node, yaml.MappingNode):
                node = self._entries(node).get(str(part))
            else:
                return None
        return node

    def _entries(self, mapping: yaml.MappingNode) -> dict[str, yaml.Node]:
        entries = self._indexed.get(id(mapping))
        if entries is None:
            entries = {}
            for key, value in mapping.value:
                if isinstance(key, yaml.ScalarNode):
                    entries.setdefault(str(key.value), value)
            self._indexed[id(mapping)] = entries
        return entries


def _reader_message(text: str, error: yaml.reader.ReaderError) -> str:
    position = max(0, min(int(error.position), len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = error.character if isinstance(error.character, str) else chr(int(error.character))
    return (
        f"invalid YAML at line {line}, column {column}: the character {character!r} is not allowed"
    )


def _first_invalid_text(data: Any) -> str | None:
    """The path of the first string that UTF-8 cannot encode (a lone surrogate), or None.

    Iterative on purpose (the parsed document may be deep), and each container is visited
    once: YAML aliases share objects, and a "billion laughs" document must stay cheap.
    """
    pending: list[tuple[str, Any]] = [("", data)]
    seen: set[int] = set()
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return path
        elif isinstance(value, dict | list):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, dict):
                for key, item in value.items():
                    child = f"{path}.{key}" if path else str(key)
                    pending.append((child, key))
                    pending.append((child, item))
            else:
                pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return None


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    what = error.problem or error.context or "cannot be parsed"
    return f"invalid YAML{where}: {what}"


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(f"the key {key!r} is written twice in the same mapping")
        result[key] = value
    return result


class _PolicyYamlLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            first = seen.get(key)
        except TypeError:
            continue  # an unhashable key: construct_mapping reports it
        if first is not None:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} is written twice (first on line {first})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_PolicyYamlLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # PyYAML raises a bare ValueError (no line, no key) for 2027-13-01; keep such a value
    # as text so that validation reports it at its key path.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_PolicyYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
