"""A CloudFormation template's values once deployed with given parameters, offline.

Enough of CloudFormation to answer "what does this value become when the stack is deployed
with these parameters, in this account and region": Ref, Fn::If/Equals/Not/And/Or/Condition,
Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::GetAtt, Fn::FindInMap, Fn::GetAZs (three zones). Anything else raises
:class:`TemplateError`, so neither a test nor the demo goes on with a function it did not
understand. The tests check template.yaml and org/member.yaml with it; the organization demo
"deploys" the member stack with it (the forwarding rule's pattern, the member role's trust).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NO_VALUE = object()
"""What ``Ref: AWS::NoValue`` becomes; removed from the mappings and lists that hold it."""

PSEUDO_PARAMETERS: Mapping[str, str] = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "cvpn-guard",
    "AWS::URLSuffix": "amazonaws.com",
}
"""The defaults: the dev account and region."""


class TemplateError(ValueError):
    """The template, or the parameters given for it, cannot be evaluated."""


def placeholder(logical_id: str, attribute: str | None = None) -> str:
    """What a Ref (or GetAtt) of a resource evaluates to when no value is given for it."""
    return f"<{logical_id}.{attribute}>" if attribute else f"<{logical_id}>"


def as_list(value: Any) -> list[Any]:
    """IAM's "one or a list"."""
    return value if isinstance(value, list) else [value]


class Deployed:
    """The template's values once deployed with ``parameters`` (the rest at their defaults).

    ``pseudo_parameters`` override :data:`PSEUDO_PARAMETERS` (the account, the region);
    ``resources`` gives what a Ref (``"LogicalId"``) or a GetAtt (``"LogicalId.Attribute"``)
    of a resource becomes, else :func:`placeholder`.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        pseudo_parameters: Mapping[str, str] | None = None,
        resources: Mapping[str, str] | None = None,
        **parameters: Any,
    ) -> None:
        self.template = template
        self.pseudo_parameters = {**PSEUDO_PARAMETERS, **(pseudo_parameters or {})}
        self.resources = dict(resources or {})
        self.parameters: dict[str, Any] = {
            name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()
        }
        unknown = set(parameters) - set(self.parameters)
        if unknown:
            raise TemplateError(f"the template has no parameter {sorted(unknown)}")
        self.parameters.update(parameters)
        missing = sorted(name for name, value in self.parameters.items() if value is None)
        if missing:
            raise TemplateError(f"parameters without a default need a value: {missing}")

    def condition(self, name: str) -> bool:
        """The value of condition ``name``."""
        result = self.value(self.template["Conditions"][name])
        if not isinstance(result, bool):
            raise TemplateError(f"condition {name} is not a boolean: {result!r}")
        return result

    def ref(self, name: str) -> Any:
        """What ``Ref: name`` becomes."""
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo_parameters:
            return self.pseudo_parameters[name]
        if name in self.parameters:
            return self._parameter(name)
        if name not in self.template["Resources"]:
            raise TemplateError(f"Ref to unknown {name}")
        return self.resources.get(name, placeholder(name))

    def _parameter(self, name: str) -> Any:
        value = self.parameters[name]
        kind = self.template["Parameters"][name].get("Type")
        if kind == "CommaDelimitedList" and isinstance(value, str):
            return [item.strip() for item in value.split(",")]
        return value

    def attribute(self, logical_id: str, attribute: str) -> str:
        """What ``Fn::GetAtt: [logical_id, attribute]`` becomes."""
        if logical_id not in self.template["Resources"]:
            raise TemplateError(f"GetAtt of unknown {logical_id}")
        return self.resources.get(f"{logical_id}.{attribute}", placeholder(logical_id, attribute))

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(self.value(variables[name]))
            if "." in name and name.split(".", 1)[0] in self.template["Resources"]:
                logical_id, attribute = name.split(".", 1)
                return self.attribute(logical_id, attribute)
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def value(self, expression: Any) -> Any:  # noqa: PLR0912 - one branch per function
        """``expression`` evaluated."""
        if isinstance(expression, list):
            items = [self.value(item) for item in expression]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(expression, dict):
            return expression
        if len(expression) != 1 or not next(iter(expression)).startswith(("Fn::", "Ref")):
            if set(expression) == {"Condition"} and isinstance(expression["Condition"], str):
                return self.condition(expression["Condition"])
            values = {key: self.value(item) for key, item in expression.items()}
            return {key: item for key, item in values.items() if item is not NO_VALUE}
        ((function, arguments),) = expression.items()
        if function == "Ref":
            return self.ref(arguments)
        if function == "Fn::If":
            name, if_true, if_false = arguments
            return self.value(if_true if self.condition(name) else if_false)
        if function == "Fn::Equals":
            left, right = (self.value(argument) for argument in arguments)
            return bool(left == right)
        if function == "Fn::Not":
            return not self.value(arguments[0])
        if function == "Fn::And":
            return all(self.value(argument) for argument in arguments)
        if function == "Fn::Or":
            return any(self.value(argument) for argument in arguments)
        if function == "Fn::Sub":
            text, variables = (arguments, {}) if isinstance(arguments, str) else arguments
            return self._sub(text, variables)
        if function == "Fn::Join":
            separator, items = arguments
            return separator.join(str(item) for item in self.value(items))
        if function == "Fn::Split":
            separator, text = arguments
            return str(self.value(text)).split(separator)
        if function == "Fn::Select":
            index, items = arguments
            return self.value(items)[int(self.value(index))]
        if function == "Fn::FindInMap":
            mapping, top, second = (self.value(argument) for argument in arguments)
            return self.template["Mappings"][mapping][top][second]
        if function == "Fn::GetAZs":
            region = self.value(arguments) or self.pseudo_parameters["AWS::Region"]
            return [f"{region}{zone}" for zone in "abc"]
        if function == "Fn::GetAtt":
            logical_id, attribute = (
                arguments if isinstance(arguments, list) else arguments.split(".", 1)
            )
            return self.attribute(logical_id, attribute)
        raise TemplateError(f"{function} is not understood by this evaluator")

    def resource(self, logical_id: str) -> dict[str, Any]:
        """One resource's properties as deployed."""
        properties: dict[str, Any] = self.value(
            self.template["Resources"][logical_id].get("Properties", {})
        )
        return properties

    def statement(self, logical_id: str, sid: str) -> dict[str, Any]:
        """One statement (by Sid) of a policy document of ``logical_id``, as deployed."""
        found = [s for s in self.statements(logical_id) if s.get("Sid") == sid]
        if len(found) != 1:
            raise TemplateError(f"{logical_id} has {len(found)} statements with Sid {sid}")
        return found[0]

    def statements(self, logical_id: str) -> list[dict[str, Any]]:
        """Every statement of the policy documents of ``logical_id``, as deployed."""
        properties = self.resource(logical_id)
        documents = [properties[k] for k in ("PolicyDocument", "KeyPolicy") if k in properties]
        documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        return [s for document in documents for s in as_list(document["Statement"])]
