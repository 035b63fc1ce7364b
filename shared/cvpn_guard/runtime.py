"""Composition root: builds the adapters a Lambda function needs from its settings, once.

Everything is created on first use and kept for the life of the process, so the cold path
imports and builds only what an invocation actually uses (a skipped event never creates a
boto3 client) and warm invocations reuse clients and the policy cache.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from cvpn_guard.arns import partition_of, region_of
from cvpn_guard.exceptions import AwsCallError, ConfigurationError
from cvpn_guard.memory_state import InMemoryState
from cvpn_guard.settings import Settings, get_settings

if TYPE_CHECKING:
    from cvpn_guard.aws.cloudtrail import CloudTrailApi
    from cvpn_guard.aws.ec2 import ClientVpnApi
    from cvpn_guard.aws.member_accounts import MemberAccounts
    from cvpn_guard.aws.policy_store import PolicyStore
    from cvpn_guard.aws.security_hub import SecurityHubFindings
    from cvpn_guard.aws.state_table import DynamoStateTable
    from cvpn_guard.aws.sweep_queue import SweepQueue
    from cvpn_guard.aws.sweep_runs import DynamoSweepRuns
    from cvpn_guard.org_sweep.accounts import SweepScope
    from cvpn_guard.ports import NotificationPort


class Runtime:
    """The process's adapters, built lazily from ``settings``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached boto3 client with cvpn-guard's retry budget."""
        from cvpn_guard.aws.clients import cached_client

        return cached_client(
            service, region or self.settings.region, self.settings.aws_max_attempts
        )

    def client_vpn(self, region: str) -> ClientVpnApi:
        """Client VPN operations in ``region``."""
        from cvpn_guard.aws.ec2 import ClientVpnApi

        return ClientVpnApi(self.client("ec2", region))

    def cloudtrail(self, region: str) -> CloudTrailApi:
        """CloudTrail in ``region`` (whether a trail feeds the enforcer there)."""
        from cvpn_guard.aws.cloudtrail import CloudTrailApi

        return CloudTrailApi(self.client("cloudtrail", region))

    def client_in(
        self, account: str, service: str, region: str, *, home_account: str | None
    ) -> Any:
        """A client acting in ``account``: through its member role in organization mode, with
        our own credentials for ``home_account`` (and outside organization mode)."""
        members = self.member_accounts
        if members is None or account == home_account:
            return self.client(service, region)
        return members.client(service, region, account)

    def cloudtrail_in(
        self, account: str, region: str, *, home_account: str | None
    ) -> CloudTrailApi:
        """CloudTrail in ``account`` (see :meth:`client_in`)."""
        from cvpn_guard.aws.cloudtrail import CloudTrailApi

        return CloudTrailApi(
            self.client_in(account, "cloudtrail", region, home_account=home_account)
        )

    def client_vpn_in(self, account: str, region: str, *, home_account: str | None) -> ClientVpnApi:
        """Client VPN operations in ``account`` (see :meth:`client_in`)."""
        from cvpn_guard.aws.ec2 import ClientVpnApi

        return ClientVpnApi(self.client_in(account, "ec2", region, home_account=home_account))

    def security_hub_in(
        self, account: str, region: str, *, home_account: str | None
    ) -> SecurityHubFindings | None:
        """Security Hub of ``account`` and ``region`` (BatchImportFindings must be called by
        the finding's own account), or None when SECURITY_HUB is off."""
        from cvpn_guard.aws.security_hub import SecurityHubFindings

        if not self.settings.security_hub:
            return None
        return SecurityHubFindings(
            self.client_in(account, "securityhub", region, home_account=home_account)
        )

    @cached_property
    def member_accounts(self) -> MemberAccounts | None:
        """Member-role clients (cached credentials per account, clients of the process's one
        botocore session), or None outside organization mode."""
        settings = self.settings
        if not settings.member_role_name:
            return None
        from cvpn_guard.aws.member_accounts import MemberAccounts, member_client_factory

        return MemberAccounts(
            self.client("sts"),
            member_client_factory(settings.aws_max_attempts),
            role_name=settings.member_role_name,
            session_name=settings.function_name or "cvpn-guard",
            partition=partition_of(settings.region),
        )

    @cached_property
    def policy_store(self) -> PolicyStore:
        """The configured policy source (SSM, file or bundled default)."""
        from cvpn_guard.aws.policy_store import PolicyStore

        ssm = self.client("ssm") if self.settings.policy_parameter else None
        return PolicyStore(self.settings, ssm)

    @cached_property
    def notifier(self) -> NotificationPort | None:
        """The SNS topic, or None when NOTIFICATION_TOPIC_ARN is not set."""
        from cvpn_guard.aws.sns import SnsNotifier

        topic = self.settings.notification_topic_arn
        if not topic:
            return None
        return SnsNotifier(self.client("sns", region_of(topic)), topic)

    @cached_property
    def state(self) -> DynamoStateTable | InMemoryState:
        """Leases and outbox: DynamoDB when STATE_TABLE_NAME is set, else in-process."""
        from cvpn_guard.aws.state_table import DynamoStateTable

        table = self.settings.state_table_name
        return DynamoStateTable(self.client("dynamodb"), table) if table else InMemoryState()


@lru_cache(maxsize=1)
def get_runtime() -> Runtime:
    """The runtime of this process (built once, reused by warm invocations)."""
    return Runtime(get_settings())


def reset_runtime() -> None:
    """Forget settings, clients and caches (tests change the environment between cases)."""
    from cvpn_guard.aws.clients import cached_client, default_session

    get_runtime.cache_clear()
    default_session.cache_clear()
    get_settings.cache_clear()
    cached_client.cache_clear()


def sweep_runs(runtime: Runtime) -> DynamoSweepRuns:
    """The org sweep's run state, on the state table (which it needs)."""
    from cvpn_guard.aws.sweep_runs import DynamoSweepRuns

    table = runtime.settings.state_table_name
    if not table:
        raise ConfigurationError("the organization sweep needs STATE_TABLE_NAME")
    return DynamoSweepRuns(runtime.client("dynamodb"), table)


def sweep_queue(runtime: Runtime) -> SweepQueue:
    """The org sweep's work queue."""
    from cvpn_guard.aws.sweep_queue import SweepQueue

    url = runtime.settings.sweep_queue_url
    if not url:
        raise ConfigurationError("the organization sweep needs SWEEP_QUEUE_URL")
    return SweepQueue(runtime.client("sqs"), url)


def organization_accounts(runtime: Runtime, *, home_account: str) -> SweepScope:
    """The accounts to sweep: SWEEP_ACCOUNTS, else every ACTIVE account of the organization
    (the management account only where it can be entered: ``org_sweep.accounts``)."""
    from cvpn_guard.aws import organizations
    from cvpn_guard.org_sweep.accounts import organization_scope

    def management_account() -> str | None:
        try:
            return organizations.management_account(runtime.client("organizations"))
        except AwsCallError:
            return None  # cannot be told: every listed account is swept as before

    def enter(account: str) -> None:
        members = runtime.member_accounts
        if members is not None:
            members.credentials(account)

    return organization_scope(
        configured=runtime.settings.sweep_accounts,
        list_accounts=lambda: organizations.active_accounts(runtime.client("organizations")),
        management_account=management_account,
        enter=enter,
        home_account=home_account,
    )
