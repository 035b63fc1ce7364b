"""``cvpn-guard demo --org`` as a newcomer runs it (``make demo-org``): a real process, start to
end, one organization of three accounts on the emulator."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.integration.demo.conftest import run_demo

ACCOUNT_LINE = re.compile(r"✓ (\d{12})  (security|payments|sandbox)$")

pytestmark = [pytest.mark.slow, pytest.mark.server]


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    # When the organization demo runs (in a shell with nothing AWS-related configured)
    return run_demo("--org", timeout=180)


@pytest.fixture(scope="module")
def accounts(demo: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """Account name -> id, as the demo's first step printed them."""
    found = {}
    for line in demo.stdout.splitlines():
        if match := ACCOUNT_LINE.search(line.strip()):
            found[match.group(2)] = match.group(1)
    return found


def test_the_org_demo_exits_0_quietly(demo: subprocess.CompletedProcess[str]) -> None:
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert demo.stderr == ""


def test_one_organization_of_three_accounts(accounts: dict[str, str]) -> None:
    assert set(accounts) == {"security", "payments", "sandbox"}
    assert len(set(accounts.values())) == 3


def test_a_member_change_is_forwarded_and_fixed_in_the_member_account(
    demo: subprocess.CompletedProcess[str], accounts: dict[str, str]
) -> None:
    story = demo.stdout
    assert "→ forwarded: payments' rule → cvpn-guard-org → cvpn-guard-org-endpoint-changed" in story
    assert "→ enforcer: remediated" in story
    # The notice names the member account, and the member's own describe shows the fix
    assert re.search(
        rf"REMEDIATED cvpn-endpoint-[0-9a-f]{{17}} {accounts['payments']}/eu-west-1", story
    )
    assert "payments' own describe: DisconnectOnSessionTimeout=true" in story
    # And the enforcer's own fix, recorded in the member account, does not come back
    assert "dropped by the member rule: no loop" in story


def test_the_org_sweep_fans_out_per_account_and_region_and_merges_once(
    demo: subprocess.CompletedProcess[str],
) -> None:
    story = demo.stdout
    assert "3 accounts → 6 work items" in story
    workers = re.findall(r"^    worker \d: (\w+) +(\S+)", story, flags=re.MULTILINE)
    assert sorted(workers) == sorted(
        (name, region)
        for name in ("security", "payments", "sandbox")
        for region in ("eu-west-1", "us-east-1")
    )
    assert story.count("last one: merged the organization report") == 1


def test_the_org_report_covers_every_account_and_names_the_one_without_the_role(
    demo: subprocess.CompletedProcess[str], accounts: dict[str, str]
) -> None:
    story = demo.stdout
    assert "valid against schemas/compliance-report.schema.json" in story
    for name in ("security", "payments"):
        assert f"{accounts[name]}/" in story
    for region in ("eu-west-1", "us-east-1"):
        assert f"error: {accounts['sandbox']}/{region} AccessDenied (AssumeRole): " in story
    # And the sweep fixed the member's drifted endpoint in the other region
    assert re.search(rf"pay-legacy +{accounts['payments']}/us-east-1 +remediated", story)
