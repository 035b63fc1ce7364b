"""AWS clients with cvpn-guard's retry budget, cached per process.

Lambda keeps the process warm between invocations, so clients are created on first use and
reused; nothing is created at import time. The functions' clients come from a plain botocore
session: boto3 would add nothing they use, only its import (and s3transfer's) to every cold
start. That session loads the trimmed service models (``service_models``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from cvpn_guard.aws import service_models

if TYPE_CHECKING:
    from boto3.session import Session

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 20


def client_config(max_attempts: int) -> Config:
    """botocore's standard retry mode with a bounded budget: throttling is retried with
    backoff, and once the budget is spent the error surfaces instead of stalling the Lambda."""
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        user_agent_extra="cvpn-guard",
    )


@lru_cache(maxsize=1)
def default_session() -> botocore.session.Session:
    """The process's botocore session (credentials and region from the environment)."""
    session = botocore.session.get_session()
    service_models.enable(session)
    return session


@lru_cache(maxsize=64)
def cached_client(
    service: str, region: str | None, max_attempts: int, endpoint_url: str | None = None
) -> Any:
    """A client for ``service`` in ``region``, shared by every caller in this process."""
    return default_session().create_client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=client_config(max_attempts),
    )


def session_client(
    session: Session,
    service: str,
    region: str | None,
    max_attempts: int,
    endpoint_url: str | None = None,
) -> Any:
    """A client from an explicit boto3 session (the CLI's ``--profile``)."""
    return session.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        config=client_config(max_attempts),
    )
