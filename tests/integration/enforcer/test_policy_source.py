"""Where the enforcer's policy comes from: SSM (cached), a file, or the bundled default."""

from __future__ import annotations

import boto3
import pytest

from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event
from tests.support.world import EnforcerWorld

REPORT_ONLY_POLICY = (
    "version: 1\nmode: report\nrules:\n  disconnect-on-session-timeout: {required: true}\n"
)


def _report_only_policy_in_ssm(monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    boto3.client("ssm", region_name="eu-west-1").put_parameter(
        Name="/cvpn-guard/policy", Value=REPORT_ONLY_POLICY, Type="String"
    )
    monkeypatch.setenv("POLICY_PARAMETER", "/cvpn-guard/policy")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    reset_runtime()


def _endpoint_that_only_breaks_disconnect_on_timeout(world: EnforcerWorld) -> str:
    return create_endpoint(
        world.ec2, **{**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    )


def test_policy_is_read_from_the_ssm_parameter(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the policy lives in SSM and says: report only
    _report_only_policy_in_ssm(monkeypatch)
    endpoint_id = _endpoint_that_only_breaks_disconnect_on_timeout(in_process_world)

    # When an event arrives
    result = in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))

    # Then that policy decided: reported, not modified
    assert result["status"] == "non_compliant"
    assert result["rules"] == ["disconnect-on-session-timeout"]
    assert in_process_world.modify_calls(endpoint_id) == 0


def test_enforcement_mode_overrides_the_documents_mode(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report-only document but ENFORCEMENT_MODE=enforce
    _report_only_policy_in_ssm(monkeypatch, ENFORCEMENT_MODE="enforce")
    endpoint_id = _endpoint_that_only_breaks_disconnect_on_timeout(in_process_world)

    # When an event arrives, Then the endpoint is fixed
    result = in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert result["status"] == "remediated"


def test_missing_parameter_is_a_clear_configuration_error(
    in_process_world: EnforcerWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICY_PARAMETER", "/cvpn-guard/missing")
    reset_runtime()
    endpoint_id = create_endpoint(in_process_world.ec2)
    with pytest.raises(ConfigurationError, match="POLICY_PARAMETER"):
        in_process_world.invoke(load_event("modify_endpoint_by_user", endpoint_id))
    assert in_process_world.modify_calls(endpoint_id) == 0
