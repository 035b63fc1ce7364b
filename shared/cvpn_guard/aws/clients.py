"""boto3 clients with cvpn-guard's retry budget, cached per process.

Lambda keeps the process warm between invocations, so clients are created on first use and
reused; nothing is created at import time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

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
def default_session() -> Session:
    return boto3.session.Session()


@lru_cache(maxsize=64)
def cached_client(
    service: str, region: str | None, max_attempts: int, endpoint_url: str | None = None
) -> Any:
    """A client for ``service`` in ``region``, shared by every caller in this process."""
    return session_client(default_session(), service, region, max_attempts, endpoint_url)


def session_client(
    session: Session,
    service: str,
    region: str | None,
    max_attempts: int,
    endpoint_url: str | None = None,
) -> Any:
    """A client from an explicit session (the CLI's ``--profile``)."""
    return session.client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        config=client_config(max_attempts),
    )
