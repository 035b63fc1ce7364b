"""The state table on moto's DynamoDB, as template.yaml defines it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from tests.support.estate import create_state_table
from tests.support.sessions import shared_session


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = shared_session().client("dynamodb", region_name="eu-west-1")
        create_state_table(client)
        yield client
