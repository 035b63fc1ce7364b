"""AWS clients with cvpn-guard's retry budget, cached per process.

Lambda keeps the process warm between invocations, so clients are created on first use and
reused; nothing is created at import time. The functions' clients come from a plain botocore
session: boto3 would add nothing they use, only its import (and s3transfer's) to every cold
start. That session loads the trimmed service models (``service_models``).

Every client of a function, its own and those acting in member accounts, comes from that one
session: its loader parses each service's model once (botocore caches it per loader), so a
client costs about 150 kB rather than a model of its own (a boto3 session per client: 23 MB).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from cvpn_guard.aws import service_models

if TYPE_CHECKING:
    from boto3.session import Session

# One call's worst case must fit inside the enforcer's timeout, and a lease renewal plus the
# write it guards inside the lease (state_table.LEASE_SECONDS; a test checks both with
# template.yaml's values). AWS answers these APIs in well under a second; the timeouts only
# bound a call that stalls. botocore retries a connect or read timeout like any transient
# error, within the same attempt budget.
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 8

# botocore's standard retry mode (botocore 1.44.8, botocore/retries/standard.py,
# ExponentialBackoff.delay_amount): before attempt i + 1 it sleeps
# rand(0, 1) * min(base * 2 ** (i - 1), 20 s), with base 1 s after a throttling error
# (50 ms otherwise), raised to the response's x-amz-retry-after value but never more than
# 5 s above that. A test pins these against the installed botocore.
BACKOFF_THROTTLING_BASE_SECONDS = 1
BACKOFF_MAX_SECONDS = 20
BACKOFF_RETRY_AFTER_EXTRA_SECONDS = 5


def worst_case_call_seconds(max_attempts: int) -> float:
    """The longest one call can take: every attempt stalls until its connect and read
    timeouts, and every pause between attempts is the longest backoff allows.

    Each socket operation is bounded, not the whole exchange: a response that keeps
    trickling, or a name with several addresses that all time out, could take longer. Neither
    is how AWS's regional endpoints fail in practice.
    """
    stalls = max_attempts * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS)
    pauses = sum(
        min(BACKOFF_THROTTLING_BASE_SECONDS * 2 ** (attempt - 1), BACKOFF_MAX_SECONDS)
        + BACKOFF_RETRY_AFTER_EXTRA_SECONDS
        for attempt in range(1, max_attempts)
    )
    return float(stalls + pauses)


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
    return new_client(service, region, max_attempts, endpoint_url=endpoint_url)


# botocore sessions are not thread-safe (boto/boto3#4157: "boto3.client is not thread-safe"):
# create_client fills the loader's cache and lazy components unguarded. The sweep asks for
# clients from several threads, so clients of the one session are created one at a time.
_CREATING = threading.Lock()


def new_client(
    service: str,
    region: str | None,
    max_attempts: int,
    *,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
) -> Any:
    """A client of the process's session, with the function's credentials or those given.

    The given credentials are the client's alone (botocore wraps them in a ``Credentials`` of
    the client's own); the session's models, endpoint data and configuration are shared.
    """
    with _CREATING:
        return default_session().create_client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
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
