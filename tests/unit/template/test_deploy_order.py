"""What CloudFormation creates before what: grants must exist before the resources that use them.

CloudFormation orders resources only by DependsOn and by references (Ref, Fn::GetAtt,
Fn::Sub); anything else may be created in parallel. These tests read the template the SAM
translator expands (what `sam deploy` submits) and follow those edges.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.support.template import (
    Deployed,
    allowed,
    as_list,
    resources_of_type,
    transformed_template,
)

ORG = "o-a1b2c3d4e5"


def _references(value: Any) -> Iterator[str]:
    """The logical ids a value names through Ref, Fn::GetAtt or Fn::Sub (some may be
    parameters or pseudo parameters: the caller keeps only resources)."""
    if isinstance(value, list):
        for item in value:
            yield from _references(item)
        return
    if not isinstance(value, dict):
        return
    if set(value) == {"Ref"}:
        yield str(value["Ref"])
    elif set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        yield str(target[0] if isinstance(target, list) else target.split(".", 1)[0])
    elif set(value) == {"Fn::Sub"}:
        text, variables = (
            (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
        )
        for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
            yield name.split(".", 1)[0]
        yield from _references(list(variables.values()))
        return
    for item in value.values():
        yield from _references(item)


def dependency_closure(template: dict[str, Any], logical_id: str) -> set[str]:
    """Every resource CloudFormation creates before ``logical_id`` (DependsOn and references,
    transitively), ``logical_id`` included."""
    resources = template["Resources"]
    closure: set[str] = set()
    pending = [logical_id]
    while pending:
        name = pending.pop()
        if name in closure:
            continue
        closure.add(name)
        resource = resources[name]
        edges = set(as_list(resource.get("DependsOn", [])))
        edges |= set(_references(resource.get("Properties", {})))
        pending += sorted(edge for edge in edges if edge in resources)
    return closure


def test_the_closure_follows_depends_on_refs_getatts_and_subs() -> None:
    # Given a small template whose only edges are one of each kind
    template = {
        "Resources": {
            "Mapping": {"Type": "X", "DependsOn": "Explicit", "Properties": {"F": {"Ref": "Fn"}}},
            "Fn": {"Type": "X", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
            "Role": {"Type": "X", "Properties": {"P": {"Fn::Sub": "${Policy}/${AWS::Region}"}}},
            "Policy": {"Type": "X", "Properties": {}},
            "Explicit": {"Type": "X"},
            "Attached": {"Type": "X", "Properties": {"Roles": [{"Ref": "Role"}]}},
        }
    }

    # Then the mapping's closure has what it reaches, not what only reaches it
    assert dependency_closure(template, "Mapping") == {
        "Mapping",
        "Fn",
        "Role",
        "Policy",
        "Explicit",
    }


def _grants_to(deployed: Deployed, role: str) -> dict[str, list[dict[str, Any]]]:
    """Every resource that grants ``role`` something -> its statements, as deployed."""
    template = deployed.template
    resources = template["Resources"]
    attached = {
        ref
        for ref in _references(resources[role]["Properties"].get("ManagedPolicyArns", []))
        if ref in resources
    }
    grants = {role: deployed.statements(role)}
    for name, resource in resources.items():
        if resource["Type"] not in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            continue
        if "Condition" in resource and not deployed.condition(resource["Condition"]):
            continue
        roles = resource["Properties"].get("Roles", [])
        if name in attached or {"Ref": role} in roles:
            grants[name] = deployed.statements(name)
    return grants


def test_the_sweep_workers_event_source_mapping_cannot_race_its_queue_grants() -> None:
    # Given the organization stack as `sam deploy` submits it, and SAM's generated mapping
    template = transformed_template()
    deployed = Deployed(template, OrganizationId=ORG)
    (mapping_id,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping")
    mapping = template["Resources"][mapping_id]["Properties"]
    function = mapping["FunctionName"]["Ref"]
    role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    queue_id = mapping["EventSourceArn"]["Fn::GetAtt"][0]
    queue = deployed.value(mapping["EventSourceArn"])
    key = deployed.attribute(
        template["Resources"][queue_id]["Properties"]["KmsMasterKeyId"]["Ref"], "Arn"
    )

    # When the grants its execution role needs to poll the queue (SQS Developer Guide,
    # "Configuring an Amazon SQS queue to trigger an AWS Lambda function") are looked up
    needs = {
        "sqs:ReceiveMessage": queue,
        "sqs:DeleteMessage": queue,
        "sqs:GetQueueAttributes": queue,
        "kms:Decrypt": key,  # the queue is encrypted with the stack's key
    }
    grants = _grants_to(deployed, role)
    before_the_mapping = dependency_closure(template, mapping_id)

    # Then each is granted by a resource CloudFormation must create before the mapping
    # (Lambda checks sqs:ReceiveMessage when the mapping is created): none lives only in a
    # policy that merely names the role and may be created after the mapping
    for action, resource in needs.items():
        granting = {
            name
            for name, statements in grants.items()
            if allowed(statements, action, {resource: {}})[resource]
        }
        assert granting, f"nothing grants {role} {action} on {resource}"
        assert granting & before_the_mapping, (
            f"{action} on {resource} is granted only by {sorted(granting)}, "
            f"none of which the mapping depends on"
        )
