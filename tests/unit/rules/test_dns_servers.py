"""The dns-servers rule: its row of the rule matrix (``CASE``, run by test_matrix.py) and its
finer points."""

from __future__ import annotations

from tests.unit.policy.builders import (
    build_policy,
    build_state,
    evaluate_at,
)
from tests.unit.rules.cases import RuleCase

CASE = RuleCase(
    "dns-servers",
    {"DnsServers": ["8.8.8.8"]},
    {"DnsServers": {"CustomDnsServers": ["10.0.0.2"], "Enabled": True}},
    disruptive=True,
)


def test_dns_servers_are_not_remediated_by_default() -> None:
    # Given dns-servers without remediate (it resets every connection)
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2"]}})
    evaluation = evaluate_at(build_state({"DnsServers": ["8.8.8.8"]}), policy)
    # Then it is reported, not planned, and the disruption is told
    (finding,) = evaluation.findings
    assert not finding.remediable
    assert finding.disruptive
    assert evaluation.plan.is_empty


def test_an_endpoint_without_dns_servers_breaks_the_rule() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2", "10.0.0.3"], "remediate": True}})
    evaluation = evaluate_at(build_state(drop=("DnsServers",)), policy)
    assert evaluation.plan.parameters == {
        "DnsServers": {"CustomDnsServers": ["10.0.0.2", "10.0.0.3"], "Enabled": True}
    }


def test_a_subset_of_the_allowed_dns_servers_is_compliant() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["10.0.0.2", "10.0.0.3"]}})
    assert evaluate_at(build_state({"DnsServers": ["10.0.0.3"]}), policy).findings == ()


def test_ipv6_dns_servers_compare_in_canonical_form() -> None:
    policy = build_policy({"dns-servers": {"allowed": ["2001:DB8:0:0::53"]}})
    assert evaluate_at(build_state({"DnsServers": ["2001:db8::53"]}), policy).findings == ()
