"""Load template.yaml and expand it with the SAM translator, offline."""

from __future__ import annotations

import copy
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"


class _NoManagedPolicies:
    """The translator asks IAM for AWS managed policies; the template uses none."""

    def load(self) -> dict[str, str]:
        return {}


@lru_cache(maxsize=1)
def _raw() -> str:
    return TEMPLATE.read_text()


def source_template() -> dict[str, Any]:
    """template.yaml as written (SAM resources, intrinsic functions as dicts)."""
    return copy.deepcopy(yaml_parse(_raw()))


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


def iam_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IAM statement of roles (inline) and managed policies."""
    statements: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            statements += properties["PolicyDocument"]["Statement"]
        if resource["Type"] == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                statements += policy["PolicyDocument"]["Statement"]
    return statements


def enforcer_rule_pattern() -> dict[str, Any]:
    """The enforcer rule's EventPattern, with our roles' ARNs where the template has GetAtt."""
    from tests.support.events import ENFORCER_ROLE_ARN, SWEEPER_ROLE_ARN

    rules = resources_of_type(transformed_template(), "AWS::Events::Rule")
    (rule,) = (r for r in rules.values() if "EventPattern" in r["Properties"])
    text = json.dumps(rule["Properties"]["EventPattern"])
    for role, arn in (("EnforcerRole", ENFORCER_ROLE_ARN), ("SweeperRole", SWEEPER_ROLE_ARN)):
        text = text.replace(json.dumps({"Fn::GetAtt": [role, "Arn"]}), json.dumps(arn))
    pattern: dict[str, Any] = json.loads(text)
    return pattern


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
