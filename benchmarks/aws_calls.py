"""AWS calls per enforcer invocation, counted by the emulator, case by case.

The enforcer handler runs in this process against moto with the emulator installed, configured
as template.yaml deploys it: the policy in SSM, notices on SNS, leases and the outbox in
DynamoDB. The emulator's call counters (every request that reached it, botocore's retries
included) are zeroed before each invocation and read after it.

The budget the issue sets is on EC2 and SNS: a compliant endpoint costs one describe (plus one
per extra describe a rule of the policy needs) and no publish; a remediation at most describe,
modify, verifying describe, the connection count when the fix is disruptive, and one publish.
DynamoDB (the lease and the outbox that make retries safe) and SSM are counted beside them,
in the notes.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import yaml
from cvpn_devkit.lambda_harness import FakeLambdaContext, load_handler, repository_root
from moto import mock_aws

import cvpn_emulator
from benchmarks.table import Row
from cvpn_guard import endpoint_guard
from cvpn_guard.policy import Policy, load_policy
from cvpn_guard.rules import Needs
from cvpn_guard.rules.registry import get_rule
from cvpn_guard.runtime import reset_runtime
from tests.support.estate import (
    compliant_overrides,
    create_endpoint,
    create_state_table,
    subscribe_queue,
)
from tests.support.events import (
    ENFORCER_FUNCTION_NAME,
    ENFORCER_ROLE_ARN,
    load_event,
    sample_names,
)
from tests.support.template import source_template

REGION = "eu-west-1"
PARAMETER = "/cvpn-guard/policy"
SERVICES = {
    "Publish": "SNS",
    "GetParameter": "SSM",
    "PutItem": "DynamoDB",
    "GetItem": "DynamoDB",
    "DeleteItem": "DynamoDB",
}
GONE = "cvpn-endpoint-0ffffffffffffffff"  # never created: a deleted endpoint
SECTION = "AWS calls per enforcer invocation (counted by the emulator)"


@dataclass(frozen=True)
class Calls:
    """What one invocation asked of AWS, by operation."""

    status: str
    operations: Counter[str]

    def of(self, service: str) -> int:
        return sum(n for op, n in self.operations.items() if SERVICES.get(op, "EC2") == service)

    def detail(self) -> str:
        """``status; EC2 DescribeEndpoints x2, ModifyEndpoint; SNS Publish; DynamoDB 5``."""
        by_service: dict[str, list[str]] = {}
        for operation, n in sorted(self.operations.items()):
            short = operation.replace("ClientVpn", "")
            by_service.setdefault(SERVICES.get(operation, "EC2"), []).append(
                short + (f" x{n}" if n > 1 else "")
            )
        dynamodb = by_service.pop("DynamoDB", [])
        parts = [f"{service} {', '.join(ops)}" for service, ops in sorted(by_service.items())]
        if dynamodb:
            parts.append(f"DynamoDB {self.of('DynamoDB')}")
        return "; ".join([self.status, *parts])


class Deployment:
    """The enforcer as deployed, on moto: a policy parameter, a topic and a state table."""

    def __init__(self, handler: ModuleType) -> None:
        self.handler = handler
        self.ec2 = boto3.client("ec2", region_name=REGION)
        self.ssm = boto3.client("ssm", region_name=REGION)
        topic, _ = subscribe_queue(
            boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
        )
        os.environ["NOTIFICATION_TOPIC_ARN"] = topic
        os.environ["STATE_TABLE_NAME"] = create_state_table(
            boto3.client("dynamodb", region_name=REGION)
        )
        os.environ["POLICY_PARAMETER"] = PARAMETER

    def use_policy(self, text: str) -> Policy:
        """Put ``text`` in the parameter and start a fresh process's runtime."""
        self.ssm.put_parameter(Name=PARAMETER, Value=text, Type="String", Overwrite=True)
        reset_runtime()
        return load_policy(text, source="bench")

    def invoke(self, event: dict[str, Any]) -> Calls:
        cvpn_emulator.reset_call_counts()
        with redirect_stdout(io.StringIO()):  # the handler's EMF metrics and logs
            result = self.handler.lambda_handler(
                event, FakeLambdaContext.for_function(ENFORCER_FUNCTION_NAME)
            )
        return Calls(str(result["status"]), Counter(cvpn_emulator.call_counts()))


def extra_describes(policy: Policy) -> int:
    """The describes beyond the endpoint's own that the policy's active rules need."""
    needs: frozenset[Needs] = frozenset().union(
        *(config.rule.needs for config in policy.rules.active())
    )
    return len(needs)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _event_with_new_id(name: str, endpoint_id: str, number: int) -> dict[str, Any]:
    # Each invocation is a new event: the outbox would drop a repeated eventID as a duplicate.
    return load_event(name, endpoint_id, event_id=f"00000000-0000-4000-8000-{number:012d}")


def _budget_rows(case: str, calls: Calls, ec2: int, sns: int, exact: bool) -> list[Row]:
    return [
        Row(
            SECTION,
            f"{case}: EC2",
            calls.of("EC2"),
            "calls",
            ec2,
            "exactly" if exact else "at_most",
            calls.detail(),
        ),
        Row(SECTION, f"{case}: SNS", calls.of("SNS"), "calls", sns, "exactly"),
    ]


def _without_extra_describes(policy_text: str) -> str:
    document = yaml.safe_load(policy_text)
    document["rules"] = {
        name: options for name, options in document["rules"].items() if not get_rule(name).needs
    }
    return str(yaml.safe_dump(document))


def _cases(world: Deployment, template_policy: str) -> Iterator[Row]:
    number = iter(range(1, 1000))
    drifted = {**compliant_overrides(), "DisconnectOnSessionTimeout": False}

    def invoke(sample: str, endpoint_id: str) -> Calls:
        return world.invoke(_event_with_new_id(sample, endpoint_id, next(number)))

    def compliant() -> str:
        return create_endpoint(world.ec2, **compliant_overrides())

    extra = extra_describes(world.use_policy(template_policy))
    # A process's first invocation reads the policy parameter; the cases below are warm.
    cold = invoke("modify_endpoint_by_user", compliant())
    yield Row(
        SECTION, "first invocation: SSM", cold.of("SSM"), "calls", 1, "exactly", cold.detail()
    )

    yield from _budget_rows(
        f"compliant ({extra} extra describe)",
        invoke("modify_endpoint_by_user", compliant()),
        1 + extra,
        0,
        exact=True,
    )
    portal = create_endpoint(world.ec2, **{**compliant_overrides(), "SelfServicePortal": "enabled"})
    yield from _budget_rows(
        "remediated", invoke("modify_endpoint_by_iam_user", portal), 3 + extra, 1, exact=False
    )
    users = create_endpoint(world.ec2, **drifted)
    cvpn_emulator.seed_connections(users, 5)
    yield from _budget_rows(
        "remediated, disruptive",
        invoke("modify_endpoint_by_user", users),
        4 + extra,
        1,
        exact=False,
    )
    skipped = invoke("modify_endpoint_by_enforcer", create_endpoint(world.ec2, **drifted))
    yield Row(
        SECTION,
        "skipped (own change): all",
        sum(skipped.operations.values()),
        "calls",
        0,
        "exactly",
        skipped.detail(),
    )
    yield from _budget_rows("deleted", invoke("modify_endpoint_by_user", GONE), 1, 0, exact=True)
    for sample in sample_names():
        calls = invoke(sample, create_endpoint(world.ec2, DisconnectOnSessionTimeout=False))
        yield Row(
            SECTION,
            f"events/{sample}.json: all",
            sum(calls.operations.values()),
            "calls",
            note=calls.detail(),
        )

    world.use_policy(_without_extra_describes(template_policy))
    invoke("modify_endpoint_by_user", compliant())  # the cold one, as above
    yield from _budget_rows(
        "compliant, policy without such rules",
        invoke("modify_endpoint_by_user", compliant()),
        1,
        0,
        exact=True,
    )


@contextmanager
def _no_settle_wait() -> Iterator[None]:
    # Re-reads after a create are counted, not waited for (they would sleep up to 7 s).
    saved = endpoint_guard.SETTLE_DELAYS
    endpoint_guard.SETTLE_DELAYS = (0.0, 0.0, 0.0)
    try:
        yield
    finally:
        endpoint_guard.SETTLE_DELAYS = saved


def run() -> list[Row]:
    """Count the calls of each case."""
    cvpn_emulator.install()
    template_policy = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    environment = {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": ENFORCER_FUNCTION_NAME,
        "LOOP_GUARD_ROLE_ARNS": ENFORCER_ROLE_ARN,
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here; tracing makes no AWS call
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
        # The default policy only reports (day one): the remediation cases need enforce, which
        # the stack's EnforcementMode parameter gives, as an operator sets it.
        "ENFORCEMENT_MODE": "enforce",
    }
    with _environment(environment), _no_settle_wait(), mock_aws():
        try:
            world = Deployment(load_handler(repository_root(), "enforcer"))
            return list(_cases(world, template_policy))
        finally:
            reset_runtime()
