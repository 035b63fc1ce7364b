"""The Client VPN endpoints a Terraform module's ``.tf`` files declare, as Describe would show them.

The files of one folder are read together, as Terraform reads a module, with python-hcl2
(the ``iac`` extra: ``pip install 'cvpn-guard[iac]'``), imported only here so that
``cvpn-guard scan`` never loads it. Values are what the files tell without running
Terraform: literals, variables' defaults, literal locals, string templates of known values,
and attributes of other resources of the module (ids stand in as stable placeholders,
:func:`cvpn_guard.iac.terraform_fields.placeholder_id`). Anything else (a variable without
a default, a function call, a data source) is left unresolved with its expression, and the
rules that read it are not evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from cvpn_guard.exceptions import CvpnGuardError
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError, SourceKind
from cvpn_guard.iac.terraform_fields import (
    AUTHORIZATION_RULE,
    EC2_API,
    ENDPOINT,
    ENDPOINT_ARGUMENTS,
    ENDPOINT_ID_ARGUMENT,
    LIVE_ONLY,
    NETWORK_ASSOCIATION,
    RELATED,
    ROUTE,
    Unresolved,
    association_route,
    endpoint_describe,
    placeholder_id,
    related_item,
)

if TYPE_CHECKING:
    from hcl2.rules.base import BodyRule

INSTALL_HINT = "pip install 'cvpn-guard[iac]'"
META_ARGUMENTS = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle"})
"""Terraform's meta-arguments: they shape instances, not the resource's properties."""
# A placeholder stands in for these attributes of a resource the module creates.
_PLACEHOLDER_ATTRIBUTES = frozenset({"id", "arn", "default_security_group_id"})
_TRAVERSAL = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]]+\])*")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\[([^\]]+)\]")
_HEREDOC = re.compile(r'"<<(-?)([A-Za-z_][\w-]*)\n(.*?)\n?[ \t]*\2"', re.DOTALL)
_CONVERSION = re.compile(r"(toset|tolist)\((.*)\)", re.DOTALL)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_MAX_DEPTH = 32


class HclParserMissing(CvpnGuardError):
    """python-hcl2 is not installed: ``.tf`` files cannot be read."""

    def __init__(self) -> None:
        super().__init__(
            "reading Terraform .tf files needs the python-hcl2 parser, which is not installed:"
            f" run `{INSTALL_HINT}` (or check a plan instead: `terraform show -json PLAN`)"
        )


@dataclass
class _Block:
    """A top-level block: its arguments in python-hcl2's serialization, and their lines."""

    kind: str
    labels: tuple[str, ...]
    file: str
    line: int | None
    arguments: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class _Module:
    variables: dict[str, _Block] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, _Block] = field(default_factory=dict)
    default_tags: Any = None
    """The default provider's ``default_tags { tags = ... }``, as written."""


@dataclass(frozen=True)
class _Instance:
    """One instance of a resource block (``count``/``for_each`` make several)."""

    block: _Block
    address: str
    context: Mapping[str, Any]
    note: str | None = None


def read_module(files: Sequence[tuple[str, str]]) -> list[DeclaredEndpoint]:
    """Read the ``.tf`` files of one folder together, as one Terraform module.

    Parameters
    ----------
    files : Sequence[tuple[str, str]]
        Each file's name (as the user gave it) and text.

    Returns
    -------
    list[DeclaredEndpoint]
        One per ``aws_ec2_client_vpn_endpoint`` instance, with the authorization rules,
        routes and network associations joined to it by ``client_vpn_endpoint_id``, in the
        order the files declare them.

    Raises
    ------
    SourceError
        A file is not valid HCL (the file, python-hcl2's message and the line).
    HclParserMissing
        python-hcl2 is not installed.
    """
    hcl2 = _hcl2()
    module = _Module()
    for name, text in files:
        _collect(name, _parse(hcl2, name, text), module, hcl2)
    return _Reader(module, hcl2).endpoints()


def _hcl2() -> ModuleType:
    try:
        import hcl2  # noqa: PLC0415 (only `check` on .tf files pays for the parser)
    except ImportError as error:
        raise HclParserMissing from error
    return hcl2


def _parse(hcl2: ModuleType, name: str, text: str) -> BodyRule:
    from lark.exceptions import LarkError  # noqa: PLC0415 (python-hcl2's parser, loaded with it)

    try:
        body: BodyRule = hcl2.parses(text).body
    except (LarkError, ValueError, RuntimeError) as error:
        message = str(error).strip().splitlines()
        raise SourceError(
            name, message[0] if message else type(error).__name__, getattr(error, "line", None)
        ) from error
    return body


def _collect(file: str, body: BodyRule, module: _Module, hcl2: ModuleType) -> None:
    from hcl2.rules.base import BlockRule  # noqa: PLC0415

    options = _serialization_options(hcl2)
    for child in body.children:
        if not isinstance(child, BlockRule):
            continue
        labels = tuple(_unquote(label.serialize(options)) for label in child.labels)
        block = _Block(labels[0], labels[1:], file, _line(child))
        _arguments(child.body, block, options, hcl2)
        if block.kind == "variable" and block.labels:
            module.variables[block.labels[0]] = block
        elif block.kind == "locals":
            module.locals.update(block.arguments)
        elif block.kind == "resource" and len(block.labels) == 2:
            module.resources[".".join(block.labels)] = block
        elif (
            block.kind == "provider" and block.labels == ("aws",) and "alias" not in block.arguments
        ):
            default_tags = block.arguments.get("default_tags") or [{}]
            module.default_tags = default_tags[0].get("tags")


def _serialization_options(hcl2: ModuleType) -> Any:
    # Heredocs kept as written: Terraform's value keeps the final newline, which python-hcl2's
    # conversion to a plain string drops (a banner's text is compared exactly).
    return hcl2.SerializationOptions(
        with_comments=False, explicit_blocks=False, preserve_heredocs=True
    )


def _arguments(body: BodyRule, block: _Block, options: Any, hcl2: ModuleType) -> None:
    from hcl2.rules.base import AttributeRule, BlockRule  # noqa: PLC0415

    for child in body.children:
        if isinstance(child, AttributeRule):
            name = str(child.identifier.serialize(options))
            block.arguments[name] = child.expression.serialize(options)
        elif isinstance(child, BlockRule):
            labels = [_unquote(label.serialize(options)) for label in child.labels]
            name = labels[0]
            if name == "dynamic" and len(labels) > 1:
                # Its blocks exist only once Terraform expands for_each: not told by the files.
                name = labels[1]
                block.arguments[name] = Unresolved(f'dynamic "{name}" block')
            else:
                block.arguments.setdefault(name, []).append(child.body.serialize(options))
        else:
            continue
        line = _line(child)
        if line is not None:
            block.lines.setdefault(name, line)


def _line(node: Any) -> int | None:
    line = getattr(node.to_lark().meta, "line", None)
    return line if isinstance(line, int) else None


def _unquote(raw: Any) -> str:
    text = str(raw)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


class _Reader:
    """Evaluates the module's resources and joins the related ones to their endpoints."""

    def __init__(self, module: _Module, hcl2: ModuleType) -> None:
        self.module = module
        self.hcl2 = hcl2
        # placeholder id -> (resource address, attribute) of the resource it stands for
        self.placeholders: dict[str, tuple[str, str]] = {}

    def endpoints(self) -> list[DeclaredEndpoint]:
        instances = {kind: list(self._instances(kind)) for kind in (ENDPOINT, *RELATED)}
        built = {instance.address: self._endpoint(instance) for instance in instances[ENDPOINT]}
        joined: dict[str, _Joined] = {address: _Joined() for address in built}
        for kind in RELATED:
            for instance in instances[kind]:
                self._join(kind, instance, joined)
        return [endpoint.finish(joined[address]) for address, endpoint in built.items()]

    # -- instances -------------------------------------------------------------------------

    def _instances(self, kind: str) -> Iterator[_Instance]:
        for address, block in self.module.resources.items():
            if block.labels[0] != kind:
                continue
            yield from self._expand(address, block)

    def _expand(self, address: str, block: _Block) -> Iterator[_Instance]:
        if "count" in block.arguments:
            count = self.value(block.arguments["count"], {})
            if isinstance(count, int) and not isinstance(count, bool):
                for index in range(count):
                    yield _Instance(block, f"{address}[{index}]", {"count.index": index})
                return
            yield _Instance(block, address, {}, _instances_note("count", count))
            return
        if "for_each" in block.arguments:
            each = self.value(block.arguments["for_each"], {})
            pairs: list[tuple[Any, Any]] | None = None
            if isinstance(each, Mapping):
                pairs = list(each.items())
            elif isinstance(each, list) and all(isinstance(item, str) for item in each):
                pairs = [(item, item) for item in each]
            if pairs is not None:
                for key, item in pairs:
                    context = {"each.key": key, "each.value": item}
                    yield _Instance(block, f'{address}["{key}"]', context)
                return
            yield _Instance(block, address, {}, _instances_note("for_each", each))
            return
        yield _Instance(block, address, {})

    # -- endpoints -------------------------------------------------------------------------

    def _endpoint(self, instance: _Instance) -> _Building:
        block = instance.block
        values = self._values(block.arguments, instance.context)
        values["tags"] = self._tags(values.get("tags"))
        parts = endpoint_describe(values, instance.address)
        lines = {
            argument.top: block.lines[argument.path.split(".", 1)[0]]
            for argument in ENDPOINT_ARGUMENTS
            if argument.path.split(".", 1)[0] in block.lines
        }
        defaults = self._default_security_groups(parts.item)
        if (
            defaults is not None
            and "SecurityGroupIds" not in parts.item
            and "SecurityGroupIds" not in parts.unresolved
        ):
            # EC2 API Reference, CreateClientVpnEndpoint: "If no security group IDs are
            # specified in the request, the default security group for the VPC is applied."
            parts.item["SecurityGroupIds"] = sorted(defaults)
            parts.defaulted["SecurityGroupIds"] = f"{EC2_API} (the VPC's default security group)"
        unknown = dict(LIVE_ONLY)
        if instance.note is not None:
            unknown["instances"] = instance.note
        return _Building(
            instance=instance,
            describe=parts.item,
            defaulted=parts.defaulted,
            unresolved=parts.unresolved,
            unknown=unknown,
            lines=lines,
            default_security_group_ids=defaults,
        )

    def _tags(self, tags: Any) -> Any:
        """The resource's tags over the provider's ``default_tags``, as AWS will have them."""
        if self.module.default_tags is None:
            return tags
        defaults = self.value(self.module.default_tags, {})
        for value in (defaults, tags):
            if isinstance(value, Unresolved):
                return value
        merged = {**(defaults or {}), **(tags or {})}
        return merged or None

    def _default_security_groups(self, item: Mapping[str, Any]) -> frozenset[str] | None:
        vpc = self.placeholders.get(str(item.get("VpcId")))
        if vpc is None or vpc[1] != "id":
            return None
        return frozenset({self._placeholder(vpc[0], "default_security_group_id")})

    # -- related resources -----------------------------------------------------------------

    def _join(self, kind: str, instance: _Instance, joined: Mapping[str, _Joined]) -> None:
        values = self._values(instance.block.arguments, instance.context)
        endpoint_id = values.get(ENDPOINT_ID_ARGUMENT)
        if not isinstance(endpoint_id, str) or endpoint_id not in joined:
            return  # an endpoint this module does not create, or one it cannot tell
        target = joined[endpoint_id]
        if kind == NETWORK_ASSOCIATION:
            self._associate(instance, values, endpoint_id, target)
            return
        item, reason = related_item(kind, values, endpoint_id)
        need = "authorization_rules" if kind == AUTHORIZATION_RULE else "routes"
        if item is None:
            target.unresolved.setdefault(need, f"{instance.address}: {reason}")
        elif kind == AUTHORIZATION_RULE:
            target.rules.append(item)
        elif kind == ROUTE:
            target.routes.append(item)

    def _associate(
        self, instance: _Instance, values: Mapping[str, Any], endpoint_id: str, target: _Joined
    ) -> None:
        subnet = values.get("subnet_id")
        cidr = self._vpc_cidr(subnet)
        if not isinstance(subnet, str) or not isinstance(cidr, str):
            target.routes_unknown = (
                f"{instance.address}: the CIDR of the VPC of subnet_id"
                f" {_shown(instance.block.arguments.get('subnet_id'))} is not in the module,"
                " so the route the association adds is unknown"
            )
            return
        target.routes.append(association_route(cidr, subnet, endpoint_id))

    def _vpc_cidr(self, subnet: Any) -> Any:
        source = self.placeholders.get(str(subnet))
        if source is None or source[1] != "id":
            return None
        vpc = self._attribute(source[0], "vpc_id")
        vpc_source = self.placeholders.get(str(vpc))
        if vpc_source is None:
            return None
        return self._attribute(vpc_source[0], "cidr_block")

    # -- values ----------------------------------------------------------------------------

    def _values(self, arguments: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: self.value(raw, context)
            for name, raw in arguments.items()
            if name not in META_ARGUMENTS
        }

    def value(self, raw: Any, context: Mapping[str, Any], depth: int = 0) -> Any:
        """A serialized HCL value as Python, or :class:`Unresolved` with the expression."""
        if depth > _MAX_DEPTH:
            return Unresolved(f"{_shown(raw)} (refers to itself)")
        if isinstance(raw, list):
            items = [self.value(item, context, depth + 1) for item in raw]
            return next((item for item in items if isinstance(item, Unresolved)), items)
        if isinstance(raw, dict):
            entries = {_unquote(k): self.value(v, context, depth + 1) for k, v in raw.items()}
            return next((v for v in entries.values() if isinstance(v, Unresolved)), entries)
        if not isinstance(raw, str):
            return raw
        if raw.startswith("${") and raw.endswith("}") and _closing(raw, 2) == len(raw) - 1:
            return self._expression(raw[2:-1].strip(), context, depth + 1)
        heredoc = _HEREDOC.fullmatch(raw)
        if heredoc is not None:
            return self._template(_heredoc_text(heredoc), context, depth + 1, escapes=False)
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return self._template(raw[1:-1], context, depth + 1)
        return Unresolved(raw)

    def _template(
        self, text: str, context: Mapping[str, Any], depth: int, *, escapes: bool = True
    ) -> Any:
        out: list[str] = []
        index = 0
        while index < len(text):
            if text.startswith("$${", index) or text.startswith("%%{", index):
                out.append(text[index + 1 : index + 3])
                index += 3
            elif text.startswith("${", index):
                end = _closing(text, index + 2)
                if end < 0:
                    return Unresolved(f'"{text}"')
                value = self._expression(text[index + 2 : end].strip(), context, depth)
                if isinstance(value, Unresolved):
                    return value
                if isinstance(value, Mapping | list):
                    return Unresolved(f'"{text}" (a collection in a string)')
                out.append(_spelled(value))
                index = end + 1
            elif text.startswith("%{", index):
                return Unresolved(f'"{text}" (a template directive)')
            elif escapes and text[index] == "\\" and index + 1 < len(text):
                out.append(_ESCAPES.get(text[index + 1], text[index : index + 2]))
                index += 2
            else:
                out.append(text[index])
                index += 1
        return "".join(out)

    def _expression(self, text: str, context: Mapping[str, Any], depth: int) -> Any:
        if text in context:
            return context[text]
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        conversion = _CONVERSION.fullmatch(text)
        if conversion is not None:
            return self._conversion(conversion.group(1), conversion.group(2), context, depth)
        if not _TRAVERSAL.fullmatch(text):
            return Unresolved(text)
        root, steps = _steps(text)
        if root == "var" and steps:
            return self._variable(text, steps, context, depth)
        if root == "local" and steps:
            if steps[0] not in self.module.locals:
                return Unresolved(f"{text} (no such local)")
            value = self.value(self.module.locals[steps[0]], context, depth + 1)
            return _traverse(value, steps[1:], text)
        if root in ("data", "module", "path", "terraform", "count", "each", "self"):
            return Unresolved(text)
        return self._reference(text, root, steps, depth, context)

    def _conversion(
        self, function: str, argument: str, context: Mapping[str, Any], depth: int
    ) -> Any:
        """``toset(...)``/``tolist(...)``, as for_each is usually written: a set of strings is
        Terraform's sorted, without duplicates."""
        from lark.exceptions import LarkError  # noqa: PLC0415 (loaded with python-hcl2)

        try:
            parsed = self.hcl2.loads(
                f"v = {argument}\n", serialization_options=_serialization_options(self.hcl2)
            )
        except (LarkError, ValueError, RuntimeError):
            return Unresolved(f"{function}({argument})")
        value = self.value(parsed.get("v"), context, depth + 1)
        if not isinstance(value, list):
            return value if isinstance(value, Unresolved) else Unresolved(f"{function}({argument})")
        if function == "toset":
            if not all(isinstance(item, str) for item in value):
                return Unresolved(f"{function}({argument})")
            return sorted(set(value))
        return value

    def _variable(self, text: str, steps: list[str], context: Mapping[str, Any], depth: int) -> Any:
        block = self.module.variables.get(steps[0])
        if block is None:
            return Unresolved(f"var.{steps[0]} (not declared)")
        if "default" not in block.arguments:
            return Unresolved(f"var.{steps[0]} (no default)")
        value = self.value(block.arguments["default"], {}, depth + 1)
        return _traverse(value, steps[1:], text)

    def _reference(
        self,
        text: str,
        kind: str,
        steps: list[str],
        depth: int,
        context: Mapping[str, Any] | None = None,
    ) -> Any:
        if len(steps) < 2:
            return Unresolved(text)
        name, rest = steps[0], steps[1:]
        index = ""
        if rest and rest[0].startswith("["):
            index, rest = _instance_key(rest[0], context or {}), rest[1:]
        if not rest:
            return Unresolved(text)
        address = f"{kind}.{name}{index}"
        attribute = rest[0]
        if kind == ENDPOINT and attribute == "id" and not rest[1:]:
            return address  # an endpoint's id is its address until the apply gives one
        declared = self.module.resources.get(f"{kind}.{name}")
        if declared is not None and attribute in declared.arguments:
            value = self.value(declared.arguments[attribute], _index_context(index), depth + 1)
            return _traverse(value, rest[1:], text)
        if attribute in _PLACEHOLDER_ATTRIBUTES and not rest[1:]:
            return self._placeholder(address, attribute)
        return Unresolved(text)

    def _attribute(self, address: str, attribute: str) -> Any:
        kind, _, rest = address.partition(".")
        name, _, index = rest.partition("[")
        return self._reference(
            f"{address}.{attribute}", kind, [name, *([f"[{index}"] if index else []), attribute], 0
        )

    def _placeholder(self, address: str, attribute: str) -> str:
        value = placeholder_id(address, attribute)
        self.placeholders[value] = (address, attribute)
        return value


@dataclass
class _Joined:
    """What the related resources add to one endpoint."""

    rules: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    unresolved: dict[str, str] = field(default_factory=dict)
    routes_unknown: str | None = None


@dataclass
class _Building:
    instance: _Instance
    describe: dict[str, Any]
    defaulted: dict[str, str]
    unresolved: dict[str, str]
    unknown: dict[str, str]
    lines: dict[str, int]
    default_security_group_ids: frozenset[str] | None

    def finish(self, joined: _Joined) -> DeclaredEndpoint:
        unknown = dict(self.unknown)
        routes: tuple[Mapping[str, Any], ...] | None = tuple(joined.routes)
        if joined.routes_unknown is not None:
            routes = None
            unknown["routes"] = joined.routes_unknown
        block = self.instance.block
        return DeclaredEndpoint(
            kind=SourceKind.TERRAFORM,
            file=block.file,
            name=self.instance.address,
            describe=self.describe,
            line=block.line,
            authorization_rules=tuple(joined.rules),
            routes=routes,
            property_lines=self.lines,
            defaulted=self.defaulted,
            unresolved={**self.unresolved, **joined.unresolved},
            unknown=unknown,
            default_security_group_ids=self.default_security_group_ids,
        )


def _instances_note(argument: str, value: Any) -> str:
    why = value.reason if isinstance(value, Unresolved) else _shown(value)
    return f"{argument} = {why} cannot be counted from the files: read as one endpoint"


def _heredoc_text(heredoc: re.Match[str]) -> str:
    """A heredoc's value: its lines with the final newline; ``<<-`` strips the common indent."""
    lines = heredoc.group(3).split("\n") if heredoc.group(3) else []
    if heredoc.group(1):
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    return "".join(f"{line}\n" for line in lines)


def _closing(text: str, start: int) -> int:
    """The index of the ``}`` that closes an interpolation opened before ``start``, or -1."""
    depth, quoted, index = 1, False, start
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _steps(text: str) -> tuple[str, list[str]]:
    root = re.match(r"[A-Za-z_][\w-]*", text)
    assert root is not None  # the caller matched _TRAVERSAL
    steps = [
        attribute if attribute else f"[{key.strip()}]"
        for attribute, key in _STEP.findall(text[root.end() :])
    ]
    return root.group(), steps


def _traverse(value: Any, steps: list[str], text: str) -> Any:
    for step in steps:
        if isinstance(value, Unresolved):
            return value
        key: Any = _unquote(step[1:-1]) if step.startswith("[") else step
        if isinstance(value, list) and isinstance(key, str) and key.isdigit():
            key = int(key)
            value = value[key] if key < len(value) else Unresolved(text)
        elif isinstance(value, Mapping) and key in value:
            value = value[key]
        else:
            return Unresolved(text)
    return value


def _instance_key(index: str, context: Mapping[str, Any]) -> str:
    """``[count.index]`` or ``[each.key]`` of the instance being read, as its address writes it."""
    key = index[1:-1].strip()
    if key not in context:
        return index
    value = context[key]
    return f"[{value}]" if isinstance(value, int) else f'["{value}"]'


def _index_context(index: str) -> dict[str, Any]:
    key = index[1:-1]
    if key.isdigit():
        return {"count.index": int(key)}
    return {"each.key": _unquote(key)} if key else {}


def _spelled(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _shown(raw: Any) -> str:
    if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"):
        return raw[2:-1]
    return str(raw)
