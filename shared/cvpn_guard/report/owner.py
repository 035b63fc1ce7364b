"""Who owns an endpoint in code: the CloudFormation stack, or the IaC tag the policy names.

A fix made to an endpoint that a stack or a Terraform workspace owns holds only until the
next deployment puts the declared value back, so reports and notices say which one to fix
too. CloudFormation tags every resource it creates with ``aws:cloudformation:stack-name``,
``aws:cloudformation:stack-id`` and ``aws:cloudformation:logical-id`` ("CloudFormation
resource tagging", AWS CloudFormation Template Reference). Terraform tags nothing by itself:
teams mark what they manage (``default_tags`` of the AWS provider, ``ManagedBy: terraform``),
and the policy's ``iac_owner_tags`` names those keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STACK_NAME = "aws:cloudformation:stack-name"
STACK_ID = "aws:cloudformation:stack-id"
LOGICAL_ID = "aws:cloudformation:logical-id"


class EndpointOwner(BaseModel):
    """The code an endpoint is deployed from, as its tags tell."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["cloudformation", "tag"] = Field(
        description="cloudformation: the aws:cloudformation:* tags name its stack; tag: it "
        "carries one of the policy's iac_owner_tags (e.g. a Terraform ManagedBy tag)."
    )
    stack: str | None = Field(
        default=None, description="The CloudFormation stack's name (kind cloudformation)."
    )
    stack_id: str | None = Field(
        default=None, description="The stack's ARN, when the endpoint is tagged with it."
    )
    logical_id: str | None = Field(
        default=None, description="The endpoint's logical id in the stack's template."
    )
    tag: str | None = Field(
        default=None, description="The owner tag's key (kind tag), as the policy names it."
    )
    value: str | None = Field(default=None, description="That tag's value (kind tag).")


def endpoint_owner(tags: Mapping[str, str], owner_tags: Sequence[str] = ()) -> EndpointOwner | None:
    """The owner the endpoint's tags name, or None when it has no owner tag.

    Parameters
    ----------
    tags
        The endpoint's tags, ``{key: value}``.
    owner_tags
        The policy's ``iac_owner_tags``: keys that mark an endpoint as managed by code. The
        CloudFormation tags win over them (they name the exact stack); among them the first
        key listed that the endpoint carries wins (an empty value still marks it).
    """
    stack = tags.get(STACK_NAME)
    if stack:
        return EndpointOwner(
            kind="cloudformation",
            stack=stack,
            stack_id=tags.get(STACK_ID) or None,
            logical_id=tags.get(LOGICAL_ID) or None,
        )
    for key in owner_tags:
        if key in tags:
            return EndpointOwner(kind="tag", tag=key, value=tags[key] or None)
    return None
