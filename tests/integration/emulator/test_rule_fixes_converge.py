"""Every rule that one ModifyClientVpnEndpoint fixes, judged on the emulator's Describe.

The unit matrix (tests/unit/rules/test_matrix.py) applies each plan with the dev-only Modify
simulator; here the oracle is the emulator: its own Modify -> Describe mapping, written from the
EC2 API Reference and independent of the rules. Each case is its rule's matrix row: an endpoint
created with the row's violation, planned by the policy with only that rule, modified through
the boto3 adapter, described again and judged compliant.
"""

from __future__ import annotations

from typing import Any

import pytest
from cvpn_devkit.endpoint_request import create_log_group

from cvpn_guard.aws.ec2 import ClientVpnApi
from cvpn_guard.endpoint import EndpointState
from cvpn_guard.findings import EndpointStatus
from tests.integration.emulator.conftest import Emulator
from tests.support.estate import create_endpoint
from tests.unit.policy.builders import FULL_RULES, build_policy, evaluate_at
from tests.unit.rules.cases import RuleCase
from tests.unit.rules.test_matrix import CASES

# The fixes made by other calls (routes, grants, the authorization policy) have emulator tests
# of their own (tests/integration/enforcer/test_fixes_beyond_modify.py); the security-groups fix
# needs a VPC with groups, tested in test_apply_security_groups.py.
MODIFY_ONLY = [
    case for case in CASES if case.fix and not case.calls and case.rule != "security-groups"
]
# A violation as CreateClientVpnEndpoint takes it, where the row says it in Describe's spelling.
CREATED_AS: dict[str, dict[str, Any]] = {
    "self-service-portal": {"SelfServicePortal": "enabled"},
    "client-connect-handler": {"ClientConnectOptions": {"Enabled": False}},
}
LOG_GROUP = str(FULL_RULES["connection-logging"]["log_group"])


def _state(api: ClientVpnApi, endpoint_id: str) -> EndpointState:
    item = api.describe_endpoint(endpoint_id)
    assert item is not None
    return EndpointState.from_describe(item)


def test_every_rule_fixed_by_one_modify_is_here() -> None:
    fixed_by_modify = {case.rule for case in MODIFY_ONLY}
    assert {"dns-servers", "client-connect-handler", "self-service-portal"} <= fixed_by_modify
    assert len(fixed_by_modify) == 10


@pytest.mark.parametrize("case", MODIFY_ONLY, ids=str)
def test_the_rules_fix_converges_on_the_emulators_describe(
    case: RuleCase, emulator: Emulator
) -> None:
    # Given an endpoint created with the rule's violation (the policy's log group exists)
    ec2 = emulator.ec2()
    create_log_group(emulator.client("logs"), LOG_GROUP)
    endpoint_id = create_endpoint(ec2, **CREATED_AS.get(case.rule, case.violation))
    api = ClientVpnApi(ec2)
    policy = build_policy({case.rule: FULL_RULES[case.rule]})
    before = evaluate_at(_state(api, endpoint_id), policy)
    assert before.violated_rules == (case.rule,), before.findings

    # When its plan is sent as the one ModifyClientVpnEndpoint
    api.modify_endpoint(endpoint_id, before.plan.parameters)

    # Then the endpoint the emulator describes complies, and nothing is left to plan
    after = evaluate_at(_state(api, endpoint_id), policy)
    assert after.status is EndpointStatus.COMPLIANT, after.findings
    assert after.plan.is_empty
