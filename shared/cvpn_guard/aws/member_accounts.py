"""Clients acting in member accounts through their ``cvpn-guard-member`` role (organization mode).

The central functions reach a member account's endpoints only by assuming the role that
``org/member.yaml`` creates there. Each AssumeRole is an STS call (throttled per account) and a
CloudTrail record, so credentials are cached per account while they stay valid, minus a
margin: a fix that starts with them must finish before they expire.

A warm function sees events from any number of accounts and regions, so what it keeps is
bounded: member clients come from the function's one botocore session (one copy of the
trimmed models, only the credentials differ), at most ``MAX_CLIENTS`` of them and the
credentials of at most ``MAX_ACCOUNTS`` accounts, least recently used out first; a client goes
with its credentials once they are due for renewal.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from cvpn_guard.aws.clients import new_client
from cvpn_guard.aws.errors import aws_call

MEMBER_ROLE_NAME = "cvpn-guard-member"
"""The member role's fixed name (org/member.yaml): its ARN is built from an account id."""

SESSION_SECONDS = 3600
RENEW_BEFORE = timedelta(minutes=10)  # longer than a function runs (the sweeper: 15 minutes max)

# An invocation uses the clients of one account x region (an event is recorded in one; a sweep
# worker takes one target per invocation): EC2, CloudTrail in a sweep worker, Security Hub when
# it is on. A member client of the shared session, after its first call, measured 0.84 MB over
# TLS (each client has its own TLS context holding the CA bundle) and 150 kB over plain HTTP
# (the emulator): 16 clients, the last 5 to 8 pairs' worth, stay under 14 MB of the enforcer's
# 256 MB; one pushed out is rebuilt in 1.5 ms (and a TLS handshake) without an AssumeRole.
MAX_CLIENTS = 16
# Credentials are what saves an AssumeRole; about 1.5 kB each (a session token is ~1 kB), so
# 256 accounts hold under 0.4 MB for the credentials' 50 useful minutes.
MAX_ACCOUNTS = 256


@dataclass(frozen=True, slots=True)
class MemberCredentials:
    """Temporary credentials of one member account's role."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime

    @property
    def renew_at(self) -> datetime:
        """When to stop handing them out (``RENEW_BEFORE`` their expiry)."""
        return self.expiration - RENEW_BEFORE


ClientFactory = Callable[[MemberCredentials, str, str], Any]
"""Builds a client from (credentials, service, region); injected by tests."""


def member_client_factory(max_attempts: int) -> ClientFactory:
    """Clients of the function's own botocore session, acting with the member credentials."""

    def build(credentials: MemberCredentials, service: str, region: str) -> Any:
        return new_client(
            service,
            region,
            max_attempts,
            access_key_id=credentials.access_key_id,
            secret_access_key=credentials.secret_access_key,
            session_token=credentials.session_token,
        )

    return build


Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class _ExpiringLru(Generic[Key, Value]):
    """At most ``size`` entries, each valid until its own deadline; the least recently used
    goes first when full, and expired ones go whenever an entry is added. Not locked: its
    owner holds the lock."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Key, tuple[datetime, Value]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key, now: datetime) -> Value | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        deadline, value = entry
        if deadline <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Key, value: Value, *, until: datetime, now: datetime) -> None:
        self._entries[key] = (until, value)
        self._entries.move_to_end(key)
        for stale in [k for k, (deadline, _) in self._entries.items() if deadline <= now]:
            del self._entries[stale]
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class MemberAccounts:
    """Assumes ``role_name`` in member accounts and hands out clients there.

    Parameters
    ----------
    sts
        The STS client of the central function (its own credentials).
    client_factory
        Builds a client from member credentials (see :func:`member_client_factory`).
    session_name
        The role session name; the function's name, so CloudTrail in the member account
        says which central function acted (and the loop guard recognises it).
    max_clients, max_accounts
        How many clients, and how many accounts' credentials, are kept (least recently used
        out first; see ``MAX_CLIENTS`` and ``MAX_ACCOUNTS`` for why these many).
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
        max_clients: int = MAX_CLIENTS,
        max_accounts: int = MAX_ACCOUNTS,
    ) -> None:
        self._sts = sts
        self._client_factory = client_factory
        self.role_name = role_name
        self._session_name = session_name[:64]  # STS's limit
        self._partition = partition
        self._clock = clock
        self._credentials: _ExpiringLru[str, MemberCredentials] = _ExpiringLru(max_accounts)
        # Each client is kept with the access key it was built with: renewed credentials make
        # a new client even where the old one has not expired yet.
        self._clients: _ExpiringLru[tuple[str, str, str], tuple[str, Any]] = _ExpiringLru(
            max_clients
        )
        # The sweep works regions on threads: one AssumeRole per account, not one per thread.
        self._lock = threading.Lock()

    @property
    def clients_held(self) -> int:
        """How many member clients are cached."""
        return len(self._clients)

    @property
    def accounts_held(self) -> int:
        """How many accounts' credentials are cached."""
        return len(self._credentials)

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
            now = self._clock()
            cached = self._credentials.get(account, now)
            if cached is not None:
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
            self._credentials.put(account, fresh, until=fresh.renew_at, now=now)
            return fresh

    def client(self, service: str, region: str, account: str) -> Any:
        """A client of ``service`` in ``region`` acting as the member role of ``account``."""
        credentials = self.credentials(account)
        key = (account, region, service)
        with self._lock:
            now = self._clock()
            cached = self._clients.get(key, now)
            if cached is not None and cached[0] == credentials.access_key_id:
                return cached[1]
            client = self._client_factory(credentials, service, region)
            self._clients.put(
                key, (credentials.access_key_id, client), until=credentials.renew_at, now=now
            )
            return client
