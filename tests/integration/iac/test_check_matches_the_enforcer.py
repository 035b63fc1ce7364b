"""`cvpn-guard check` on the files reports what the enforcer reports for the live endpoints
those files create.

Each template is deployed onto the emulator without the product's reader
(tests/support/cfn_deploy.py: SAM's YAML loader, the dev kit's CloudFormation evaluator, one
EC2 call per resource, the emulator's own Create defaults for what the template leaves out);
the enforcer then judges each live endpoint on its creation event, under the same policy that
`check` applies to the file. The Terraform plan and configuration declare the same two
endpoints as the CloudFormation template, so their verdicts must be those of its live twins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cvpn_guard.cli import main
from cvpn_guard.runtime import reset_runtime
from tests.support.cfn_deploy import deploy_template
from tests.support.events import load_event
from tests.support.sessions import shared_session
from tests.support.world import REGION, REPO, EnforcerWorld

FIXTURES = REPO / "tests" / "fixtures" / "iac"
TEMPLATES = (
    "cloudformation/client-vpn.yaml",
    "sam/template.yaml",
    "cdk.out/VpnStack.template.json",
)
# The Terraform fixtures' endpoints and their CloudFormation twins (client-vpn.yaml); the plan
# holds its drifted endpoint in a child module.
TERRAFORM_TWINS = {
    "terraform/plan.json": {
        "aws_ec2_client_vpn_endpoint.compliant": "CompliantVpn",
        "module.legacy.aws_ec2_client_vpn_endpoint.drifted": "DriftedVpn",
    },
    "terraform/module": {
        "aws_ec2_client_vpn_endpoint.compliant": "CompliantVpn",
        "aws_ec2_client_vpn_endpoint.drifted": "DriftedVpn",
    },
}
POLICIES = ("baseline.yaml", "strict.yaml")

Verdict = dict[str, Any]


@pytest.fixture(params=POLICIES)
def policy_file(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The example policy in report mode, for the enforcer (POLICY_FILE) and for check."""
    text = (REPO / "policies" / request.param).read_text(encoding="utf-8")
    document = text.replace("mode: enforce", "mode: report", 1)
    path = tmp_path / request.param
    path.write_text(document, encoding="utf-8")
    monkeypatch.setenv("POLICY_FILE", str(path))
    reset_runtime()
    return path


def _check(source: Path, policy: Path) -> dict[str, Verdict]:
    """`cvpn-guard check --format json` of ``source``: each endpoint's verdict by name."""
    # Into a file: the enforcer's log lines share stdout.
    output = policy.with_name("check.json")
    status = main(
        ["check", str(source), "--policy", str(policy), "--format", "json", "-o", str(output)]
    )
    document = json.loads(output.read_text(encoding="utf-8"))
    assert status in (0, 1), document
    return {
        endpoint["name"]: {
            "findings": sorted(finding["rule"] for finding in endpoint["findings"]),
            "unevaluated": sorted(rule["rule"] for rule in endpoint["unevaluated"]),
        }
        for endpoint in document["endpoints"]
    }


def _enforced(world: EnforcerWorld, endpoint_id: str) -> Verdict:
    """The enforcer's verdict on a live endpoint, from its creation event and its notice."""
    before = len(world.notices())
    result = world.invoke(load_event("create_endpoint_noncompliant", endpoint_id))
    notices = world.notices()[before:]
    if not notices:  # a compliant endpoint is not notified
        assert result["status"] == "compliant", result
        return {"findings": [], "unevaluated": []}
    (report,) = (json.loads(notice["Message"]) for notice in notices)
    (endpoint,) = report["endpoints"]
    return {
        "findings": sorted(finding["rule"] for finding in endpoint["findings"]),
        "unevaluated": sorted(rule["rule"] for rule in endpoint["unevaluated"]),
    }


def _live(world: EnforcerWorld, template: str) -> dict[str, Verdict]:
    logs = shared_session().client("logs", region_name=REGION)
    endpoints = deploy_template(FIXTURES / template, world.ec2, logs)
    return {name: _enforced(world, endpoint_id) for name, endpoint_id in endpoints.items()}


def _comparable(checked: Verdict, live: Verdict) -> tuple[Verdict, Verdict]:
    """The two verdicts on the rules both could decide: a rule the file cannot decide (live
    data only, an unresolved value) is left out of the live side, and one the live endpoint
    could not decide (a read the emulator does not answer) out of the file's."""
    unknown = set(checked["unevaluated"]) | set(live["unevaluated"])
    return (
        {"findings": [rule for rule in checked["findings"] if rule not in unknown]},
        {"findings": [rule for rule in live["findings"] if rule not in unknown]},
    )


@pytest.mark.parametrize("template", TEMPLATES)
def test_check_reports_the_findings_the_enforcer_reports_for_the_deployed_template(
    world: EnforcerWorld,
    policy_file: Path,
    template: str,
) -> None:
    # Given the template's endpoints deployed, and the enforcer's verdict on each
    live = _live(world, template)
    # When check reads the template under the same policy
    checked = _check(FIXTURES / template, policy_file)
    # Then it finds the same endpoints and, for each, the same broken rules
    assert set(checked) == set(live)
    for name in live:
        file_side, live_side = _comparable(checked[name], live[name])
        assert file_side == live_side, (template, name, checked[name], live[name])
    # And under the baseline nothing is left undecided on either side
    if policy_file.name == "baseline.yaml":
        assert checked == live


@pytest.mark.parametrize("source", TERRAFORM_TWINS)
def test_check_of_terraform_reports_what_the_enforcer_reports_for_the_same_endpoints(
    world: EnforcerWorld,
    policy_file: Path,
    source: str,
) -> None:
    # Given the CloudFormation twins of the Terraform endpoints, deployed and judged
    live = _live(world, "cloudformation/client-vpn.yaml")
    # When check reads the Terraform plan (or the configuration)
    checked = _check(FIXTURES / source, policy_file)
    # Then each Terraform endpoint breaks exactly the rules its live twin breaks
    twins = TERRAFORM_TWINS[source]
    assert set(checked) == set(twins)
    for address, twin in twins.items():
        file_side, live_side = _comparable(checked[address], live[twin])
        assert file_side == live_side, (source, address, checked[address], live[twin])
    if policy_file.name == "baseline.yaml":
        assert checked == {address: live[twin] for address, twin in twins.items()}


def test_the_comparison_would_see_a_difference() -> None:
    # Given a file verdict that misses a rule the live endpoint breaks
    checked = {"findings": ["login-banner"], "unevaluated": []}
    live = {"findings": ["login-banner", "session-timeout"], "unevaluated": []}
    # When they are compared / Then they differ
    assert _comparable(checked, live)[0] != _comparable(checked, live)[1]
