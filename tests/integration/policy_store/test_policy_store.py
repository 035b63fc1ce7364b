"""The policy store against moto's SSM: parsed once per text, mode override applied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cvpn_guard.aws.policy_store import PolicyStore
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
