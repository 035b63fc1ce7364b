"""Each rule's ``reads`` names exactly the Describe fields its check reads.

A source that cannot tell a field (a template's unresolved ``!Ref``) leaves the rules that read
it unevaluated; a rule that read a field it does not declare would be judged on a guess. Each
check runs here on a recording endpoint, on the matrix's compliant and violating endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

from cvpn_guard.endpoint import ClientVpnEndpoint, EndpointState
from cvpn_guard.rules import Rule, all_rules
from tests.unit.policy.builders import FULL_RULES, build_policy, build_state, evaluate_at
from tests.unit.rules.cases import RuleCase
from tests.unit.rules.test_matrix import CASES, violating

# Views of the endpoint named after the field they are made of.
_VIEWS = {"tags": "Tags", "endpoint_id": "ClientVpnEndpointId"}


class _Recording:
    """An endpoint that notes the Describe field behind every attribute a check reads."""

    def __init__(self, endpoint: ClientVpnEndpoint) -> None:
        self._endpoint = endpoint
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        field = ClientVpnEndpoint.model_fields.get(name)
        self.read.add(_VIEWS.get(name) or (field.alias if field and field.alias else name))
        return getattr(self._endpoint, name)


def _fields_read(rule: type[Rule[Any]], state: EndpointState) -> set[str]:
    options = build_policy({rule.id: FULL_RULES[rule.id]}).rules.get(rule.id)
    recording = _Recording(state.endpoint)
    rule.check(state.model_copy(update={"endpoint": recording}), options)
    return recording.read - {"ClientVpnEndpointId"}  # an id is always known


def _rule(case: RuleCase) -> type[Rule[Any]]:
    return next(rule for rule in all_rules() if rule.id == case.rule)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_rule_reads_only_the_fields_it_declares(case: RuleCase) -> None:
    # Given the rule, on a compliant and on a violating endpoint
    rule = _rule(case)
    # When its check runs on an endpoint that records what is read
    read = _fields_read(rule, build_state()) | _fields_read(rule, violating(case))
    # Then every field it read is one of its reads, and each of its reads was read
    assert read <= set(rule.reads), f"{rule.id} reads {sorted(read - set(rule.reads))} undeclared"
    assert set(rule.reads) <= read, f"{rule.id} declares {sorted(set(rule.reads) - read)} unread"


def test_a_rule_whose_field_is_unresolved_is_not_evaluated_and_the_others_are() -> None:
    # Given an endpoint whose session timeout a template left to an unresolved parameter
    state = build_state(drop=("SessionTimeoutHours",)).model_copy(
        update={"unread": {"SessionTimeoutHours": "SessionTimeoutHours is !Ref Hours"}}
    )
    policy = build_policy(
        {"session-timeout": {"max_hours": 12}, "vpn-port": FULL_RULES["vpn-port"]}
    )
    # When it is evaluated
    evaluation = evaluate_at(state, policy)
    # Then session-timeout is unevaluated (not clean), vpn-port is judged
    assert [(u.rule, u.reason, u.read_failed) for u in evaluation.unevaluated] == [
        ("session-timeout", "SessionTimeoutHours is !Ref Hours", True)
    ]
    assert "vpn-port" in evaluation.rules_checked


def test_an_input_the_source_cannot_have_leaves_its_rule_unevaluated_but_clean() -> None:
    # Given an endpoint whose revocation list no file can declare
    state = build_state().model_copy(
        update={"unknown": {"revocation_list": "live data only: the imported revocation list"}}
    )
    policy = build_policy({"certificate-revocation": FULL_RULES["certificate-revocation"]})
    # When it is evaluated / Then the rule is unevaluated with that reason, not a failed read
    (unevaluated,) = evaluate_at(state, policy).unevaluated
    assert (unevaluated.rule, unevaluated.read_failed) == ("certificate-revocation", False)
    assert unevaluated.reason == "live data only: the imported revocation list"
