"""Load template.yaml and expand it with the SAM translator, offline."""

from __future__ import annotations

import copy
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from cvpn_devkit.cfn import (
    NO_VALUE,
    PSEUDO_PARAMETERS,
    Deployed,
    TemplateError,
    as_list,
    placeholder,
)
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# The CloudFormation evaluator lives in cvpn_devkit.cfn (the organization demo deploys the
# member template with it); the template tests keep importing it from here.
__all__ = [
    "NO_VALUE",
    "PSEUDO_PARAMETERS",
    "Deployed",
    "TemplateError",
    "as_list",
    "placeholder",
]

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"


class _NoManagedPolicies:
    """The translator asks IAM for AWS managed policies; the template uses none."""

    def load(self) -> dict[str, str]:
        return {}


@lru_cache(maxsize=1)
def _raw() -> str:
    return TEMPLATE.read_text()


@lru_cache(maxsize=1)
def _parsed() -> dict[str, Any]:
    # Parsed once: the YAML parse takes about 60 ms, a copy 1 ms, and the template
    # tests ask for the template a few hundred times.
    parsed: dict[str, Any] = yaml_parse(_raw())
    return parsed


def source_template() -> dict[str, Any]:
    """template.yaml as written (SAM resources, intrinsic functions as dicts)."""
    return copy.deepcopy(_parsed())


@lru_cache(maxsize=1)
def _transformed() -> str:
    template = source_template()
    # The translator accepts only S3 code locations (what `sam package` produces).
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if key in properties:
                properties[key] = "s3://cvpn-guard-artifacts/code.zip"
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    return json.dumps(transform(template, {}, _NoManagedPolicies()))


def transformed_template() -> dict[str, Any]:
    """The CloudFormation template that `sam deploy` would submit."""
    result: dict[str, Any] = json.loads(_transformed())
    return result


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for one resource type."""
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def inline_policies(role_properties: dict[str, Any]) -> list[dict[str, Any]]:
    """A role's inline policies, those behind an ``Fn::If`` included (either branch)."""
    policies: list[dict[str, Any]] = []
    for policy in role_properties.get("Policies", []):
        branches = policy["Fn::If"][1:] if set(policy) == {"Fn::If"} else [policy]
        policies += [branch for branch in branches if "PolicyDocument" in branch]
    return policies


def iam_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IAM statement of roles (inline) and managed policies."""
    statements: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            statements += properties["PolicyDocument"]["Statement"]
        if resource["Type"] == "AWS::IAM::Role":
            for policy in inline_policies(properties):
                statements += policy["PolicyDocument"]["Statement"]
    return statements


def enforcer_rule_pattern() -> dict[str, Any]:
    """The enforcer rule's EventPattern, with our roles' ARNs where the template has GetAtt."""
    from tests.support.events import ENFORCER_ROLE_ARN, SWEEPER_ROLE_ARN

    rules = resources_of_type(transformed_template(), "AWS::Events::Rule")
    # The SAM event's rule on the default bus (organization mode adds one on its own bus).
    (rule,) = (
        r
        for r in rules.values()
        if "EventPattern" in r["Properties"] and "EventBusName" not in r["Properties"]
    )
    text = json.dumps(rule["Properties"]["EventPattern"])
    for role, arn in (("EnforcerRole", ENFORCER_ROLE_ARN), ("SweeperRole", SWEEPER_ROLE_ARN)):
        text = text.replace(json.dumps({"Fn::GetAtt": [role, "Arn"]}), json.dumps(arn))
    pattern: dict[str, Any] = json.loads(text)
    return pattern


# ---- a small IAM evaluator: is one request allowed by a set of identity statements? --------


def _matches(pattern: str, value: str) -> bool:
    """IAM's * and ? wildcards (ArnLike, StringLike, Resource), nothing else."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def condition_holds(condition: dict[str, Any], context: dict[str, Any]) -> bool:
    """Whether every operator of a statement's Condition holds for the request ``context``."""
    for operator, keys in condition.items():
        if_exists = operator.endswith("IfExists")
        base = operator.removesuffix("IfExists")
        for key, expected in keys.items():
            wanted = [str(item) for item in as_list(expected)]
            if key not in context:
                if base == "Null":
                    if str(expected).lower() != "true":
                        return False
                    continue
                if if_exists or base.startswith(("StringNot", "ArnNot")):
                    continue
                return False
            actual = [str(item) for item in as_list(context[key])]
            if base == "Null":
                if str(expected).lower() != "false":
                    return False
                continue
            qualifier, _, name = base.rpartition(":")
            single = {
                "StringEquals": lambda a, w: a in w,
                "StringNotEquals": lambda a, w: a not in w,
                "StringLike": lambda a, w: any(_matches(p, a) for p in w),
                "StringNotLike": lambda a, w: not any(_matches(p, a) for p in w),
                "ArnEquals": lambda a, w: any(_matches(p, a) for p in w),
                "ArnLike": lambda a, w: any(_matches(p, a) for p in w),
                "ArnNotEquals": lambda a, w: not any(_matches(p, a) for p in w),
                "ArnNotLike": lambda a, w: not any(_matches(p, a) for p in w),
                "Bool": lambda a, w: a.lower() in [x.lower() for x in w],
            }
            assert name in single, f"condition operator {operator} is not understood here"
            if qualifier == "ForAnyValue":
                holds = any(single[name](a, wanted) for a in actual)
            elif qualifier == "ForAllValues":
                holds = all(single[name](a, wanted) for a in actual)
            else:
                assert len(actual) == 1, (operator, key, actual)
                holds = single[name](actual[0], wanted)
            if not holds:
                return False
    return True


def statement_applies(
    statement: dict[str, Any], action: str, resource: str, context: dict[str, Any]
) -> bool:
    """Whether ``statement`` covers ``action`` on ``resource`` for the request ``context``."""
    if not any(_matches(a, action) for a in as_list(statement["Action"])):
        return False
    if not any(_matches(r, resource) for r in as_list(statement.get("Resource", "*"))):
        return False
    return condition_holds(statement.get("Condition", {}), context)


def allowed(
    statements: list[dict[str, Any]],
    action: str,
    resources: dict[str, dict[str, Any]],
    request: dict[str, Any] | None = None,
) -> dict[str, bool]:
    """For each resource ARN of one request (with its resource context keys): allowed?

    A request is authorized only when every resource it touches is allowed and none is
    denied. ``request`` holds the request-wide keys (aws:RequestedRegion, ...).
    """
    verdict = {}
    for arn, resource_context in resources.items():
        context = {**(request or {}), **resource_context}
        allows = [s for s in statements if s["Effect"] == "Allow"]
        denies = [s for s in statements if s["Effect"] == "Deny"]
        verdict[arn] = any(statement_applies(s, action, arn, context) for s in allows) and not any(
            statement_applies(s, action, arn, context) for s in denies
        )
    return verdict
