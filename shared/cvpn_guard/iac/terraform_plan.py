"""The Client VPN endpoints a Terraform plan creates or keeps, as Describe would show them.

Reads the JSON ``terraform show -json PLANFILE`` prints (Terraform's "JSON Output Format",
https://developer.hashicorp.com/terraform/internals/json-format): the resources of
``planned_values.root_module`` and its ``child_modules``, their ``values``; what
``resource_changes[].change.after_unknown`` marks is known only after apply and is left
unresolved. Related resources are joined to their endpoint by ``client_vpn_endpoint_id``
where the plan knows it, else through ``configuration``'s ``references`` of that argument
(module-aware: a module's references are relative to the module, and ``var.X`` is followed
into the module call's expression).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cvpn_guard.iac.declared import DeclaredEndpoint, SourceError, SourceKind
from cvpn_guard.iac.terraform_fields import (
    AUTHORIZATION_RULE,
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

SUPPORTED_MAJOR = ("0", "1")
"""The JSON format's major versions read here; the docs say to reject any other."""
KNOWN_AFTER_APPLY = "known after apply"
_INDEX = re.compile(r"\[[^\]]*\]$")
_MAX_DEPTH = 16


def is_plan(data: object) -> bool:
    """Whether a parsed JSON document is ``terraform show -json`` of a plan."""
    return (
        isinstance(data, Mapping)
        and "format_version" in data
        and ("planned_values" in data or "resource_changes" in data)
    )


def read_plan(file: str, data: Mapping[str, Any]) -> list[DeclaredEndpoint]:
    """Read the endpoints of a plan, with their rules, routes and network associations.

    Parameters
    ----------
    file : str
        The plan's JSON file, as the user named it.
    data : Mapping[str, Any]
        Its parsed JSON.

    Returns
    -------
    list[DeclaredEndpoint]
        One per ``aws_ec2_client_vpn_endpoint`` instance the plan leaves in place (those
        being deleted are not endpoints any more), named by Terraform address, without lines.

    Raises
    ------
    SourceError
        The document is not a plan of a format version this reads.
    """
    if not isinstance(data, Mapping):
        raise SourceError(
            file,
            f"a Terraform plan is a JSON object, not {type(data).__name__}: write it with"
            " `terraform show -json PLANFILE`",
        )
    version = str(data.get("format_version", ""))
    if version.split(".", 1)[0] not in SUPPORTED_MAJOR:
        raise SourceError(
            file,
            f"format_version {version or '(missing)'} is not a plan format this reads (0.x, 1.x):"
            " write the plan with `terraform show -json PLANFILE`",
        )
    return _Plan(file, data).endpoints()


@dataclass(frozen=True)
class _Resource:
    address: str
    kind: str
    module: str  # "" or "module.vpn." (with the dot), the prefix of its configuration address
    index: Any
    values: Mapping[str, Any]

    @property
    def config_address(self) -> str:
        return _INDEX.sub("", self.address)


@dataclass
class _Joined:
    rules: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    unresolved: dict[str, str] = field(default_factory=dict)
    routes_unknown: str | None = None


class _Plan:
    def __init__(self, file: str, data: Mapping[str, Any]) -> None:
        self.file = file
        changes = {
            str(change.get("address")): change
            for change in _list(data.get("resource_changes"))
            if isinstance(change, Mapping)
        }
        self.config: dict[str, Mapping[str, Any]] = {}
        self.calls: dict[str, Mapping[str, Any]] = {}
        configuration = _mapping(_mapping(data.get("configuration")).get("root_module"))
        self._index_configuration(configuration, "")
        self.resources: dict[str, _Resource] = {}
        planned = _mapping(_mapping(data.get("planned_values")).get("root_module"))
        for resource in _planned(planned):
            change = _mapping(changes.get(resource.address, {}).get("change"))
            if list(_list(change.get("actions"))) == ["delete"]:
                continue  # planned values omit it already; a plan that keeps it says so here
            expressions = self.config.get(resource.config_address)
            values = _unknown(resource.values, change.get("after_unknown"), expressions)
            self.resources[resource.address] = _Resource(
                resource.address, resource.kind, resource.module, resource.index, values
            )

    def _index_configuration(self, module: Mapping[str, Any], prefix: str) -> None:
        for resource in _list(module.get("resources")):
            if isinstance(resource, Mapping):
                address = f"{prefix}{resource.get('address')}"
                self.config[address] = _mapping(resource.get("expressions"))
        for name, call in _mapping(module.get("module_calls")).items():
            child = f"{prefix}module.{name}."
            self.calls[child] = _mapping(_mapping(call).get("expressions"))
            self._index_configuration(_mapping(_mapping(call).get("module")), child)

    # -- endpoints -------------------------------------------------------------------------

    def endpoints(self) -> list[DeclaredEndpoint]:
        endpoints = [r for r in self.resources.values() if r.kind == ENDPOINT]
        ids = {r.address: self._endpoint_id(r) for r in endpoints}
        joined = {address: _Joined() for address in ids}
        for resource in self.resources.values():
            if resource.kind in RELATED:
                self._join(resource, ids, joined)
        return [self._declared(r, ids[r.address], joined[r.address]) for r in endpoints]

    @staticmethod
    def _endpoint_id(resource: _Resource) -> str:
        live = resource.values.get("id")
        return live if isinstance(live, str) else resource.address

    def _declared(self, resource: _Resource, endpoint_id: str, joined: _Joined) -> DeclaredEndpoint:
        values = dict(resource.values)
        tags_all = values.get("tags_all")
        if isinstance(tags_all, Mapping):
            values["tags"] = tags_all  # with the provider's default_tags, as AWS will have them
        parts = endpoint_describe(values, endpoint_id)
        unknown = dict(LIVE_ONLY)
        routes: tuple[Mapping[str, Any], ...] | None = tuple(joined.routes)
        if joined.routes_unknown is not None:
            routes = None
            unknown["routes"] = joined.routes_unknown
        return DeclaredEndpoint(
            kind=SourceKind.TERRAFORM_PLAN,
            file=self.file,
            name=resource.address,
            describe=parts.item,
            authorization_rules=tuple(joined.rules),
            routes=routes,
            defaulted=parts.defaulted,
            unresolved={
                **{k: f"{_argument_of(k)}: {v}" for k, v in parts.unresolved.items()},
                **joined.unresolved,
            },
            unknown=unknown,
            default_security_group_ids=self._default_security_groups(values),
        )

    def _default_security_groups(self, values: Mapping[str, Any]) -> frozenset[str] | None:
        vpc_id = values.get("vpc_id")
        if not isinstance(vpc_id, str):
            return None
        for resource in self.resources.values():
            if resource.kind == "aws_vpc" and resource.values.get("id") == vpc_id:
                group = resource.values.get("default_security_group_id")
                return frozenset({group}) if isinstance(group, str) else None
        return None

    # -- related resources -----------------------------------------------------------------

    def _join(
        self, resource: _Resource, ids: Mapping[str, str], joined: Mapping[str, _Joined]
    ) -> None:
        endpoint = self._endpoint_of(resource, ids)
        if endpoint is None:
            return  # an endpoint this plan does not have, or one it cannot tell
        target, endpoint_id = joined[endpoint], ids[endpoint]
        if resource.kind == NETWORK_ASSOCIATION:
            self._associate(resource, endpoint_id, target)
            return
        values = dict(resource.values)
        if resource.kind == ROUTE:
            values["target_vpc_subnet_id"] = self._value(resource, "target_vpc_subnet_id", 0)
        item, reason = related_item(resource.kind, values, endpoint_id)
        need = "authorization_rules" if resource.kind == AUTHORIZATION_RULE else "routes"
        if item is None:
            target.unresolved.setdefault(need, f"{resource.address}: {reason}")
        elif resource.kind == AUTHORIZATION_RULE:
            target.rules.append(item)
        else:
            target.routes.append(item)

    def _endpoint_of(self, resource: _Resource, ids: Mapping[str, str]) -> str | None:
        known = resource.values.get(ENDPOINT_ID_ARGUMENT)
        if isinstance(known, str):
            return next((a for a, live in ids.items() if live == known), None)
        for module, reference in self._references(resource.module, resource.config_address):
            address = _strip_attribute(f"{module}{reference}", "id")
            for candidate in (address, f"{address}{_index_suffix(resource.index)}"):
                if candidate in ids:
                    return candidate
        return None

    def _associate(self, resource: _Resource, endpoint_id: str, target: _Joined) -> None:
        subnet = self._value(resource, "subnet_id", 0)
        cidr = self._vpc_cidr(resource, subnet)
        if isinstance(subnet, str) and isinstance(cidr, str):
            target.routes.append(association_route(cidr, subnet, endpoint_id))
            return
        target.routes_unknown = (
            f"{resource.address}: the CIDR of the VPC of its subnet is not in the plan, so the"
            " route the association adds is unknown"
        )

    def _vpc_cidr(self, association: _Resource, subnet: Any) -> Any:
        subnet_resource = self._resource_with_id(subnet) or self._referenced(
            association, "subnet_id"
        )
        if subnet_resource is None:
            return None
        vpc = self._resource_with_id(self._value(subnet_resource, "vpc_id", 0)) or self._referenced(
            subnet_resource, "vpc_id"
        )
        return None if vpc is None else self._value(vpc, "cidr_block", 0)

    # -- values through references ---------------------------------------------------------

    def _value(self, resource: _Resource, argument: str, depth: int) -> Any:
        """An argument's planned value, else what its configuration references resolve to."""
        value = resource.values.get(argument)
        if not isinstance(value, Unresolved) or depth > _MAX_DEPTH:
            return value
        for module, reference in self._references(
            resource.module, resource.config_address, argument
        ):
            address, attribute = _split_reference(reference)
            referenced = self.resources.get(f"{module}{address}") or self.resources.get(
                f"{module}{address}{_index_suffix(resource.index)}"
            )
            if referenced is None:
                continue
            if attribute in (None, "id"):
                live = referenced.values.get("id")
                return live if isinstance(live, str) else placeholder_id(referenced.address)
            return self._value(referenced, attribute, depth + 1)
        return value

    def _referenced(self, resource: _Resource, argument: str) -> _Resource | None:
        for module, reference in self._references(
            resource.module, resource.config_address, argument
        ):
            address, _ = _split_reference(reference)
            found = self.resources.get(f"{module}{address}")
            if found is not None:
                return found
        return None

    def _resource_with_id(self, value: Any) -> _Resource | None:
        if not isinstance(value, str):
            return None
        return next(
            (
                r
                for r in self.resources.values()
                if r.values.get("id") == value or placeholder_id(r.address) == value
            ),
            None,
        )

    def _references(
        self, module: str, config_address: str, argument: str = ENDPOINT_ID_ARGUMENT
    ) -> list[tuple[str, str]]:
        """An argument's references as (module prefix, reference relative to that module).

        ``var.X`` in a module is followed to the expression of its module call, whose
        references are relative to the calling module.
        """
        expression = _mapping(self.config.get(config_address, {}).get(argument))
        return self._resolved(module, _list(expression.get("references")), 0)

    def _resolved(self, module: str, references: list[Any], depth: int) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for reference in references:
            text = str(reference)
            if text.startswith("var.") and module and depth < _MAX_DEPTH:
                parent = module[: module.rstrip(".").rfind("module.")]
                call = _mapping(self.calls.get(module, {}).get(text.split(".")[1]))
                out.extend(self._resolved(parent, _list(call.get("references")), depth + 1))
            else:
                out.append((module, text))
        return out


def _split_reference(reference: str) -> tuple[str, str | None]:
    """``aws_subnet.vpn.id`` -> (``aws_subnet.vpn``, ``id``); ``aws_subnet.vpn[0]`` -> (.., None)."""
    parts = reference.split(".")
    if len(parts) >= 3:
        return ".".join(parts[:2]), parts[2]
    return reference, None


def _strip_attribute(address: str, attribute: str) -> str:
    suffix = f".{attribute}"
    return address[: -len(suffix)] if address.endswith(suffix) else address


def _index_suffix(index: Any) -> str:
    if index is None:
        return ""
    return f"[{index}]" if isinstance(index, int) else f'["{index}"]'


def _argument_of(field_name: str) -> str:
    """The argument that sets a Describe field, for the reasons users read."""
    return next(
        (a.path.split(".", 1)[0] for a in ENDPOINT_ARGUMENTS if a.top == field_name), field_name
    )


def _planned(module: Mapping[str, Any]) -> Iterator[_Resource]:
    prefix = str(module.get("address", ""))
    prefix = f"{prefix}." if prefix else ""
    for resource in _list(module.get("resources")):
        if not isinstance(resource, Mapping) or resource.get("mode", "managed") != "managed":
            continue
        yield _Resource(
            address=str(resource.get("address")),
            kind=str(resource.get("type")),
            module=prefix,
            index=resource.get("index"),
            values=_mapping(resource.get("values")),
        )
    for child in _list(module.get("child_modules")):
        if isinstance(child, Mapping):
            yield from _planned(child)


def _unknown(values: Any, unknown: Any, expressions: Any) -> Any:
    """``values`` with what ``after_unknown`` marks replaced by :class:`Unresolved`.

    An unknown argument the configuration does not set (``expressions`` has no entry for
    it) is one the provider computes (``Optional + Computed``): AWS gives it its default,
    so it reads as left out (None) and takes the documented default. Where the
    configuration is missing (``expressions`` None), every unknown value stays unresolved.
    The SDK's empty strings and lists for unset arguments read as left out too.
    """
    if unknown is True:
        return None if expressions is _UNSET else Unresolved(KNOWN_AFTER_APPLY)
    if values == "" or (values == [] and not unknown):
        return None
    if isinstance(values, Mapping) or isinstance(unknown, Mapping):
        known = dict(values) if isinstance(values, Mapping) else {}
        marks = unknown if isinstance(unknown, Mapping) else {}
        for key in {*known, *marks}:
            known[key] = _unknown(known.get(key), marks.get(key), _member(expressions, key))
        return known
    if isinstance(values, list) or isinstance(unknown, list):
        items = list(values) if isinstance(values, list) else []
        marks_list = unknown if isinstance(unknown, list) else []
        items += [None] * (len(marks_list) - len(items))
        return [
            _unknown(item, marks_list[i] if i < len(marks_list) else None, _item(expressions, i))
            for i, item in enumerate(items)
        ]
    return values


_UNSET: Any = object()
"""The configuration has no expression for this argument (it is left out)."""


def _is_expression(expressions: Any) -> bool:
    """An attribute's expression (not a block's members): its value is set as a whole."""
    return isinstance(expressions, Mapping) and (
        "references" in expressions or "constant_value" in expressions
    )


def _member(expressions: Any, key: str) -> Any:
    """The expression of a member of an object or block; _UNSET where the block leaves it out."""
    if expressions is None or expressions is _UNSET or _is_expression(expressions):
        return expressions
    if isinstance(expressions, Mapping):
        return expressions.get(key, _UNSET)
    return _UNSET


def _item(expressions: Any, index: int) -> Any:
    """The expression of a list's item: a block's, or the list attribute's own."""
    if isinstance(expressions, list):
        return expressions[index] if index < len(expressions) else _UNSET
    return expressions


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
