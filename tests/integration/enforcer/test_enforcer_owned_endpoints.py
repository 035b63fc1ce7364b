"""An endpoint a stack (or Terraform) deploys: the enforcer's notice says which, and to fix it there.

The enforcer fixes the live endpoint, and the next stack update or ``terraform apply`` puts the
template's value back. CloudFormation tags what a stack creates with
``aws:cloudformation:stack-name`` / ``stack-id`` / ``logical-id`` ("CloudFormation resource
tagging", AWS CloudFormation Template Reference); a Terraform-managed endpoint carries the tag
the policy's ``iac_owner_tags`` names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.report import ComplianceReport, compose_endpoint_notice
from cvpn_guard.report.chat import chat_notification
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/network-vpn/5f1e2d3c"


def _drifted_endpoint(world: EnforcerWorld, tags: dict[str, str]) -> str:
    """An endpoint whose sessions are not disconnected at their timeout, with ``tags``."""
    return create_endpoint(
        world.ec2,
        **{
            **compliant_overrides(),
            "DisconnectOnSessionTimeout": False,
            "TagSpecifications": [
                {
                    "ResourceType": "client-vpn-endpoint",
                    "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
                }
            ],
        },
    )


def _texts(envelope: dict[str, Any]) -> tuple[str, str]:
    """The e-mail text and the chat description of the delivered notice (SQS receives its
    JSON report; SNS sends e-mail and chat subscribers these forms of the same report)."""
    notice = compose_endpoint_notice(ComplianceReport.model_validate_json(envelope["Message"]))
    return notice.text, chat_notification(notice)["content"]["description"]


def _enforce(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **document: Any) -> None:
    policy = {
        "version": 1,
        "mode": "enforce",
        "rules": {"disconnect-on-session-timeout": {"required": True}},
        **document,
    }
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy))
    monkeypatch.setenv("POLICY_FILE", str(path))
    reset_runtime()


def test_the_notice_names_the_stack_and_says_to_fix_its_template(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given an enforce policy and a drifted endpoint a CloudFormation stack created
    _enforce(monkeypatch, tmp_path)
    endpoint_id = _drifted_endpoint(
        in_process_world,
        {
            "Name": "vpn-prod",
            "aws:cloudformation:stack-name": "network-vpn",
            "aws:cloudformation:stack-id": STACK_ID,
            "aws:cloudformation:logical-id": "DriftedVpn",
        },
    )

    # When a user's change to it reaches the enforcer
    in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the endpoint is fixed, and the notice's text names the stack and the resource and
    # says the template must be fixed too
    assert in_process_world.describe(endpoint_id)["DisconnectOnSessionTimeout"] is True
    (envelope,) = in_process_world.notices()
    report = json.loads(envelope["Message"])
    (endpoint,) = report["endpoints"]
    assert endpoint["status"] == "remediated"
    assert endpoint["owner"] == {
        "kind": "cloudformation",
        "stack": "network-vpn",
        "stack_id": STACK_ID,
        "logical_id": "DriftedVpn",
        "tag": None,
        "value": None,
    }
    says = (
        'Deployed by CloudFormation stack "network-vpn" (resource "DriftedVpn"): fix its '
        "template too, or the next stack update reverts the fix."
    )
    text, chat = _texts(envelope)
    assert says in text
    assert says in chat
    # And subscribers can route it by its owner
    assert (
        envelope["MessageAttributes"]["owner"]["Value"] == "cloudformation:network-vpn/DriftedVpn"
    )


def test_the_notice_names_the_terraform_tag_the_policy_names(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a policy that names Terraform's ownership tags, and an endpoint Terraform tagged
    _enforce(monkeypatch, tmp_path, iac_owner_tags=["ManagedBy", "terraform-workspace"])
    endpoint_id = _drifted_endpoint(
        in_process_world, {"terraform-workspace": "prod", "ManagedBy": "terraform"}
    )

    # When a user's change to it reaches the enforcer
    in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the notice names the first of the policy's tags the endpoint carries, with its value
    (envelope,) = in_process_world.notices()
    (endpoint,) = json.loads(envelope["Message"])["endpoints"]
    assert (endpoint["owner"]["kind"], endpoint["owner"]["tag"], endpoint["owner"]["value"]) == (
        "tag",
        "ManagedBy",
        "terraform",
    )
    text, _ = _texts(envelope)
    assert (
        'Deployed by tag "ManagedBy"="terraform": fix the code that deploys it too, or the next '
        "deployment reverts the fix." in text
    )
