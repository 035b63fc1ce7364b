"""Clients acting in member accounts through their ``cvpn-guard-member`` role (organization mode).

The central functions reach a member account's endpoints only by assuming the role that
``org/member.yaml`` creates there. Each AssumeRole is an STS call (throttled per account) and a
CloudTrail record, so credentials are cached per account while they stay valid, minus a
margin: a fix that starts with them must finish before they expire.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from cvpn_guard.aws.clients import session_client
from cvpn_guard.aws.errors import aws_call

MEMBER_ROLE_NAME = "cvpn-guard-member"
"""The member role's fixed name (org/member.yaml): its ARN is built from an account id."""

SESSION_SECONDS = 3600
RENEW_BEFORE = timedelta(minutes=10)  # longer than a function runs (the sweeper: 15 minutes max)


@dataclass(frozen=True, slots=True)
class MemberCredentials:
    """Temporary credentials of one member account's role."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime


ClientFactory = Callable[[MemberCredentials, str, str], Any]
"""Builds a client from (credentials, service, region); injected by tests."""


def boto3_client_factory(max_attempts: int) -> ClientFactory:
    """Clients with cvpn-guard's retry budget, from a session holding the member credentials."""

    def build(credentials: MemberCredentials, service: str, region: str) -> Any:
        session = boto3.session.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
        )
        return session_client(session, service, region, max_attempts)

    return build


class MemberAccounts:
    """Assumes ``role_name`` in member accounts and hands out clients there.

    Parameters
    ----------
    sts
        The STS client of the central function (its own credentials).
    client_factory
        Builds a client from member credentials (see :func:`boto3_client_factory`).
    session_name
        The role session name; the function's name, so CloudTrail in the member account
        says which central function acted (and the loop guard recognises it).
    """

    def __init__(
        self,
        sts: Any,
        client_factory: ClientFactory,
        *,
        role_name: str = MEMBER_ROLE_NAME,
        session_name: str = "cvpn-guard",
        partition: str = "aws",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sts = sts
        self._client_factory = client_factory
        self.role_name = role_name
        self._session_name = session_name[:64]  # STS's limit
        self._partition = partition
        self._clock = clock
        self._credentials: dict[str, MemberCredentials] = {}
        self._clients: dict[tuple[str, str, str], tuple[str, Any]] = {}
        # The sweep works regions on threads: one AssumeRole per account, not one per thread.
        self._lock = threading.Lock()

    def role_arn(self, account: str) -> str:
        """The member role's ARN in ``account``."""
        return f"arn:{self._partition}:iam::{account}:role/{self.role_name}"

    def credentials(self, account: str) -> MemberCredentials:
        """Valid credentials of the member role in ``account`` (cached while valid).

        Raises
        ------
        AwsCallError
            AssumeRole failed: ``AccessDenied`` when the account has no such role, or its
            trust does not name this function's role.
        """
        with self._lock:
            cached = self._credentials.get(account)
            if cached and cached.expiration - RENEW_BEFORE > self._clock():
                return cached
            with aws_call("AssumeRole"):
                response = self._sts.assume_role(
                    RoleArn=self.role_arn(account),
                    RoleSessionName=self._session_name,
                    DurationSeconds=SESSION_SECONDS,
                )
            raw = response["Credentials"]
            fresh = MemberCredentials(
                access_key_id=raw["AccessKeyId"],
                secret_access_key=raw["SecretAccessKey"],
                session_token=raw["SessionToken"],
                expiration=raw["Expiration"],
            )
            self._credentials[account] = fresh
            return fresh

    def client(self, service: str, region: str, account: str) -> Any:
        """A client of ``service`` in ``region`` acting as the member role of ``account``."""
        credentials = self.credentials(account)
        key = (account, region, service)
        with self._lock:
            cached = self._clients.get(key)
            if cached and cached[0] == credentials.access_key_id:
                return cached[1]
            client = self._client_factory(credentials, service, region)
            self._clients[key] = (credentials.access_key_id, client)
            return client
