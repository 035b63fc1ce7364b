"""CloudFormation's intrinsic functions, resolved as far as the template alone allows.

What a template says for certain is resolved: ``Ref`` of a parameter with a ``Default``
(typed as the parameter's ``Type`` says), ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``,
``Fn::Split`` and ``Fn::FindInMap`` of known values, ``Fn::If`` whose condition follows from the
parameters' defaults, ``AWS::NoValue``. What only a deployment knows (a parameter without a
default, the account and region unless given, another stack's exports, most attributes of
resources) raises :class:`Unresolved` with the reason, and the caller writes the expression
back in short form (:func:`render`) for the finding.

A ``Ref`` (or an id attribute) of a VPC, subnet, security group, transit gateway or endpoint
of the same template resolves to a stable placeholder id derived from the logical id
(:func:`placeholder_id`): the rules compare such ids with each other (is this group the VPC's
default one, is this route's target that subnet), never with real ids, and any real id would
satisfy them the same way. The placeholders match the id patterns of the policy's options
(``sg-`` and 17 hex digits), so a finding's fix reads like one made for a live endpoint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

NO_VALUE: Any = object()
"""What ``Ref: AWS::NoValue`` becomes: the property (or list item) is left out."""

PLACEHOLDER_PREFIXES: Mapping[str, str] = {
    "AWS::EC2::VPC": "vpc-",
    "AWS::EC2::Subnet": "subnet-",
    "AWS::EC2::SecurityGroup": "sg-",
    "AWS::EC2::TransitGateway": "tgw-",
    "AWS::EC2::TransitGatewayAttachment": "tgw-attach-",
    "AWS::EC2::TransitGatewayVpcAttachment": "tgw-attach-",
    "AWS::EC2::ClientVpnEndpoint": "cvpn-endpoint-",
}
"""Resource types whose ``Ref`` is an EC2 id, and the id's prefix (EC2 API Reference)."""

ID_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "AWS::EC2::VPC": frozenset({"VpcId"}),
    "AWS::EC2::Subnet": frozenset({"SubnetId"}),
    "AWS::EC2::SecurityGroup": frozenset({"GroupId", "Id"}),
    "AWS::EC2::TransitGateway": frozenset({"Id"}),
    "AWS::EC2::TransitGatewayAttachment": frozenset({"Id"}),
    "AWS::EC2::TransitGatewayVpcAttachment": frozenset({"Id"}),
    "AWS::EC2::ClientVpnEndpoint": frozenset({"Id"}),
}
"""``Fn::GetAtt`` attributes that return the same id as ``Ref`` (the resources' schemas)."""

VPC_TYPE = "AWS::EC2::VPC"
_LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
_SSM_PARAMETER_TYPE = re.compile(r"AWS::SSM::Parameter::Value<.*>")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_UNKNOWN_UNTIL_DEPLOY = "known only once the stack is deployed"


class Unresolved(Exception):
    """A value the template alone cannot tell: why, and the expression it was written as."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expression: str | None = None

    def text(self) -> str:
        """The expression and why it cannot be told, e.g. ``!Ref Hours (a parameter without a
        default)``."""
        return f"{self.expression} ({self.reason})" if self.expression else self.reason


def placeholder_id(prefix: str, logical_id: str, attribute: str = "") -> str:
    """A stable, valid-looking EC2 id for a resource of the template (17 hex digits)."""
    digest = hashlib.sha256(f"{logical_id}.{attribute}".encode()).hexdigest()
    return f"{prefix}{digest[:17]}"


def default_security_group_id(vpc_logical_id: str) -> str:
    """The placeholder for ``!GetAtt <Vpc>.DefaultSecurityGroup`` of a VPC of the template."""
    return placeholder_id("sg-", vpc_logical_id, "DefaultSecurityGroup")


def render(value: Any) -> str:
    """An expression in CloudFormation's YAML short form, on one line."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((name, argument),) = value.items()
        if name in {"Ref", "Condition"} or name.startswith("Fn::"):
            tag = name.removeprefix("Fn::")
            if tag == "GetAtt" and isinstance(argument, list) and len(argument) == 2:
                return f"!GetAtt {argument[0]}.{argument[1]}"
            return f"!{tag} {render(argument)}"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(item) for item in value) + "]"
    if isinstance(value, str):
        return value if value and re.fullmatch(r"[\w.:/\-]+", value) else json.dumps(value)
    return json.dumps(value)


class Resolver:
    """Resolves values of one template.

    Parameters
    ----------
    template : Mapping[str, Any]
        The template's data (``Parameters``, ``Mappings``, ``Conditions``, ``Resources``).
    pseudo_parameters : Mapping[str, Any]
        Values known for ``AWS::Region``, ``AWS::AccountId``, ``AWS::Partition``...; the
        others stay unresolved.
    """

    def __init__(self, template: Mapping[str, Any], pseudo_parameters: Mapping[str, Any]) -> None:
        self._parameters = _mapping(template.get("Parameters"))
        self._mappings = _mapping(template.get("Mappings"))
        self._conditions = _mapping(template.get("Conditions"))
        self._resources = _mapping(template.get("Resources"))
        self._pseudo = dict(pseudo_parameters)
        self._evaluating: set[str] = set()
        self._functions: Mapping[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::If": self._if,
        }
        self._placeholders = {
            placeholder_id(PLACEHOLDER_PREFIXES[kind], logical_id): logical_id
            for logical_id, resource in self._resources.items()
            if (kind := _type(resource) or "") in PLACEHOLDER_PREFIXES
        }

    def value(self, value: Any) -> Any:
        """The value once deployed, ``NO_VALUE`` for ``AWS::NoValue``.

        Raises
        ------
        Unresolved
            The template alone cannot tell it; ``expression`` is the outermost intrinsic
            function that could not be resolved, in short form.
        """
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((name, argument),) = value.items()
                if name == "Ref" or name.startswith("Fn::"):
                    return self._intrinsic(name, argument, value)
            resolved = {key: self.value(item) for key, item in value.items()}
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        if isinstance(value, list):
            return [item for item in map(self.value, value) if item is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        """Whether a condition of the template holds with the parameters' defaults."""
        if name not in self._conditions:
            raise Unresolved(f"condition {name} is not defined in the template")
        if name in self._evaluating:
            raise Unresolved(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            return self._truth(self._conditions[name])
        finally:
            self._evaluating.discard(name)

    def resource_of(self, id_value: Any) -> str | None:
        """The logical id a placeholder id stands for, None for any other value."""
        return self._placeholders.get(id_value) if isinstance(id_value, str) else None

    def resource(self, logical_id: str) -> Mapping[str, Any]:
        """A resource of the template (empty when there is none by that id)."""
        return _mapping(self._resources.get(logical_id))

    def _intrinsic(self, name: str, argument: Any, expression: Any) -> Any:
        function = self._functions.get(name)
        try:
            if function is None:
                raise Unresolved(_why_not(name))
            return function(argument)
        except Unresolved as unresolved:
            unresolved.expression = render(expression)  # the outermost function wins
            raise

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise Unresolved("Ref takes the name of a parameter or resource")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            if name in self._pseudo:
                return self._pseudo[name]
            raise Unresolved(f"the pseudo parameter {name}, {_UNKNOWN_UNTIL_DEPLOY}")
        if name in self._parameters:
            return _parameter_default(name, _mapping(self._parameters[name]))
        if name in self._resources:
            return self._resource_ref(name)
        raise Unresolved(f"{name} is neither a parameter nor a resource of the template")

    def _resource_ref(self, logical_id: str) -> Any:
        resource = self.resource(logical_id)
        kind = _type(resource) or ""
        if kind in PLACEHOLDER_PREFIXES:
            return placeholder_id(PLACEHOLDER_PREFIXES[kind], logical_id)
        if kind == _LOG_GROUP_TYPE:
            # Ref returns the group's name: the one written, else CloudFormation makes one up.
            name = _mapping(resource.get("Properties")).get("LogGroupName")
            return logical_id if name is None else self.value(name)
        raise Unresolved(f"the {kind} {logical_id}'s id, {_UNKNOWN_UNTIL_DEPLOY}")

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise Unresolved("Fn::GetAtt takes a logical id and an attribute")
        logical_id, attribute = argument[0], self.value(argument[1])
        resource = self.resource(logical_id)
        kind = _type(resource)
        if kind == VPC_TYPE and attribute == "DefaultSecurityGroup":
            return default_security_group_id(logical_id)
        if kind == VPC_TYPE and attribute == "CidrBlock":
            cidr = _mapping(resource.get("Properties")).get("CidrBlock")
            if cidr is not None:
                return self.value(cidr)
        if attribute in ID_ATTRIBUTES.get(kind or "", ()):
            return self._resource_ref(logical_id)
        raise Unresolved(f"the attribute {attribute} of {logical_id}, {_UNKNOWN_UNTIL_DEPLOY}")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else _pair(argument, "Sub")
        if not isinstance(text, str) or not isinstance(variables, Mapping):
            raise Unresolved("Fn::Sub takes a string and, optionally, a mapping of variables")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
            if name in variables:
                return _text(self.value(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                return _text(self._get_att(name.split(".", 1)))
            return _text(self._ref(name))

        return _SUB_VARIABLE.sub(substitute, text)

    def _join(self, argument: Any) -> str:
        delimiter, items = _pair(argument, "Join")
        items = self.value(items)
        if not isinstance(delimiter, str) or not isinstance(items, list):
            raise Unresolved("Fn::Join takes a delimiter and a list")
        return delimiter.join(_text(item) for item in items)

    def _select(self, argument: Any) -> Any:
        index, items = _pair(argument, "Select")
        index, items = self.value(index), self.value(items)
        try:
            return items[int(index)]
        except (TypeError, ValueError, IndexError, KeyError) as error:
            raise Unresolved("Fn::Select's index is not in its list") from error

    def _split(self, argument: Any) -> list[str]:
        delimiter, text = _pair(argument, "Split")
        text = self.value(text)
        if not isinstance(delimiter, str) or not isinstance(text, str):
            raise Unresolved("Fn::Split takes a delimiter and a string")
        return text.split(delimiter)

    def _find_in_map(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise Unresolved("Fn::FindInMap takes a map name and two keys")
        name, first, second = (self.value(item) for item in argument[:3])
        try:
            return self.value(self._mappings[name][first][second])
        except (KeyError, TypeError) as error:
            fallback = argument[3] if len(argument) == 4 else None
            if isinstance(fallback, Mapping) and "DefaultValue" in fallback:
                return self.value(fallback["DefaultValue"])
            raise Unresolved(f"the map {name} has no {first}/{second}") from error

    def _if(self, argument: Any) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise Unresolved("Fn::If takes a condition name and two values")
        name, when_true, when_false = argument
        return self.value(when_true if self.condition(name) else when_false)

    def _truth(self, expression: Any) -> bool:
        if isinstance(expression, bool):
            return expression
        if not (isinstance(expression, Mapping) and len(expression) == 1):
            raise Unresolved(f"{render(expression)} is not a condition")
        ((name, argument),) = expression.items()
        items = argument if isinstance(argument, list) else [argument]
        if name == "Condition":
            return self.condition(argument)
        if name == "Fn::Equals" and len(items) == 2:
            left, right = (self.value(item) for item in items)
            return _text(left) == _text(right)
        if name == "Fn::Not" and len(items) == 1:
            return not self._truth(items[0])
        if name == "Fn::And":
            return all(self._truth(item) for item in items)
        if name == "Fn::Or":
            return any(self._truth(item) for item in items)
        raise Unresolved(f"{render(expression)} is not a condition")


def _parameter_default(name: str, parameter: Mapping[str, Any]) -> Any:
    if "Default" not in parameter:
        raise Unresolved("a parameter without a default")
    default = parameter["Default"]
    kind = str(parameter.get("Type", "String"))
    if _SSM_PARAMETER_TYPE.fullmatch(kind):
        raise Unresolved(f"the value of SSM parameter {default}, read when the stack deploys")
    # Parameter types (User Guide, Parameters): Number, List<Number>, CommaDelimitedList and
    # the List<AWS::EC2::...> types are lists written comma-separated; the rest are strings.
    if kind == "Number":
        return _number(name, default)
    if kind == "CommaDelimitedList" or kind.startswith("List<"):
        items = [item.strip() for item in _text(default).split(",")]
        return [_number(name, item) for item in items] if kind == "List<Number>" else items
    return _text(default)


def _number(name: str, value: Any) -> int | float:
    try:
        number = float(_text(value))
    except ValueError as error:
        raise Unresolved(f"the default of parameter {name} is not a number") from error
    return int(number) if number.is_integer() else number


def _pair(argument: Any, function: str) -> tuple[Any, Any]:
    if isinstance(argument, list) and len(argument) == 2:
        return argument[0], argument[1]
    raise Unresolved(f"Fn::{function} takes two arguments")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise Unresolved(f"{render(value)} is not a string")


def _why_not(name: str) -> str:
    if name == "Fn::ImportValue":
        return f"a value another stack exports, {_UNKNOWN_UNTIL_DEPLOY}"
    return f"{name} is not resolved before deploy"


def _type(resource: Any) -> str | None:
    kind = _mapping(resource).get("Type")
    return kind if isinstance(kind, str) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
