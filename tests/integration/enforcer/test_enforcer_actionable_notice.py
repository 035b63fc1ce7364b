"""The enforcer's notice says which endpoint (its Name tag), what failed and at which call, and
which policy document decided, by the hash `cvpn-guard policy validate` prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest

from cvpn_guard.change_events.handling import RemediationFailed
from cvpn_guard.cli import main
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

ENFORCE_POLICY = (
    "version: 1\nmode: enforce\nrules:\n  disconnect-on-session-timeout: {required: true}\n"
)


def _named_endpoint(world: EnforcerWorld, name: str) -> str:
    return create_endpoint(
        world.ec2,
        **{
            **compliant_overrides(),
            "DisconnectOnSessionTimeout": False,
            "TagSpecifications": [
                {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        },
    )


@pytest.mark.server_smoke
def test_a_refused_fix_names_the_endpoint_the_call_and_the_code_in_report_and_subject(
    world: EnforcerWorld,
) -> None:
    # Given an endpoint named "partners" whose fix AWS refuses
    endpoint_id = _named_endpoint(world, "partners")
    world.faults.inject_error(
        "ModifyClientVpnEndpoint", "UnauthorizedOperation", times=None, message="not allowed"
    )

    # When its event reaches the enforcer
    with pytest.raises(RemediationFailed):
        world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the notice's report names the endpoint and the call that failed
    (envelope,) = world.notices()
    (endpoint,) = json.loads(envelope["Message"])["endpoints"]
    assert (endpoint["name"], endpoint["failed_call"]) == ("partners", "ModifyClientVpnEndpoint")
    assert endpoint["error"].startswith("UnauthorizedOperation: ")
    # And the subject names AWS's code
    assert envelope["Subject"] == (
        f"[cvpn-guard] REMEDIATION_FAILED {endpoint_id} 123456789012: UnauthorizedOperation"
    )


def test_enforcement_mode_report_keeps_the_hash_policy_validate_prints(
    in_process_world: EnforcerWorld,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given an enforce document in SSM, validated as a person would, and ENFORCEMENT_MODE=report
    document = tmp_path / "org.yaml"
    document.write_text(ENFORCE_POLICY)
    assert main(["policy", "validate", str(document)]) == 0
    (validated,) = re.findall(r"sha256:[0-9a-f]{64}", capsys.readouterr().out)
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/cvpn-guard/policy", Value=ENFORCE_POLICY, Type="String"
    )
    monkeypatch.setenv("POLICY_PARAMETER", "/cvpn-guard/policy")
    monkeypatch.setenv("ENFORCEMENT_MODE", "report")
    reset_runtime()
    endpoint_id = _named_endpoint(in_process_world, "contractors")

    # When a drifted endpoint's event arrives
    in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then the report carries the document's hash, the mode that applied and the document's
    (envelope,) = in_process_world.notices()
    report = json.loads(envelope["Message"])
    assert report["policy"]["content_hash"] == validated
    assert (report["policy"]["mode"], report["policy"]["document_mode"]) == ("report", "enforce")
    assert report["endpoints"][0]["name"] == "contractors"
