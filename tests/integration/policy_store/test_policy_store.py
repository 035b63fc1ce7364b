"""The policy store against moto's SSM: parsed once per text, mode override applied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cvpn_guard.aws.policy_store import PolicyStore
from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.policy import Mode
from cvpn_guard.settings import Settings

POLICY = "version: 1\nmode: enforce\nrules:\n  disconnect-on-session-timeout: {required: true}\n"


@pytest.fixture
def ssm() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("ssm", region_name="eu-west-1")
        client.put_parameter(Name="/cvpn-guard/policy", Value=POLICY, Type="String")
        yield client


def _store(ssm: Any, **settings: Any) -> PolicyStore:
    # A zero cache age makes every load read SSM again, as a warm Lambda does after max_age.
    values = {"policy_parameter": "/cvpn-guard/policy", "policy_cache_seconds": 0, **settings}
    return PolicyStore(Settings.model_validate(values), ssm)


def test_an_unchanged_document_is_not_parsed_again(ssm: Any) -> None:
    # Given a store that re-reads SSM on every load
    store = _store(ssm, enforcement_mode="report")

    # When the parameter has not changed between two loads
    first, second = store.load(), store.load()

    # Then the second load reuses the policy in force, mode override included
    assert second is first
    assert first.mode is Mode.REPORT


def test_a_changed_document_is_parsed_and_used(ssm: Any) -> None:
    # Given a store that has loaded the policy once
    store = _store(ssm)
    first = store.load()

    # When the parameter changes
    ssm.put_parameter(
        Name="/cvpn-guard/policy", Value=POLICY.replace("enforce", "report"), Overwrite=True
    )

    # Then the next load sees the new document
    second = store.load()
    assert second is not first
    assert (first.mode, second.mode) == (Mode.ENFORCE, Mode.REPORT)


def test_the_parameter_is_read_again_only_once_the_cache_age_has_passed(ssm: Any) -> None:
    # Given a store that keeps what it read for 300 s, on a clock the test moves
    now = [1_000.0]
    settings = Settings.model_validate(
        {"policy_parameter": "/cvpn-guard/policy", "policy_cache_seconds": 300}
    )
    store = PolicyStore(settings, ssm, clock=lambda: now[0])
    first = store.load()

    # When the parameter changes and 299 s pass / Then the policy read first is still in force
    ssm.put_parameter(
        Name="/cvpn-guard/policy", Value=POLICY.replace("enforce", "report"), Overwrite=True
    )
    now[0] += 299
    assert store.load() is first

    # And once 300 s have passed, the changed document is read and used
    now[0] += 1
    assert store.load().mode is Mode.REPORT


def test_an_unreadable_parameter_says_what_to_check(ssm: Any) -> None:
    # Given a store pointed at a parameter that does not exist
    store = _store(ssm, policy_parameter="/cvpn-guard/missing")

    # When it loads / Then the error names the parameter and the permission to check
    with pytest.raises(ConfigurationError, match="ParameterNotFound") as raised:
        store.load()
    assert "'/cvpn-guard/missing'" in str(raised.value)
    assert "ssm:GetParameter" in str(raised.value)
