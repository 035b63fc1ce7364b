"""``cvpn-guard demo`` as a newcomer runs it (``make demo``): a real process, start to end."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.integration.demo.conftest import REPO, run_demo

pytestmark = [pytest.mark.slow, pytest.mark.server]

EVENTS = REPO / "events"


@pytest.fixture(scope="module")
def demo() -> subprocess.CompletedProcess[str]:
    # When the demo runs (in a shell with nothing AWS-related configured)
    return run_demo(timeout=120)


def test_the_demo_exits_0_quietly(demo: subprocess.CompletedProcess[str]) -> None:
    # Then it succeeds, with nothing on stderr: no request log, warning or traceback
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert demo.stderr == ""
    # And no Powertools JSON log or EMF metric blob slipped into the story (a finding's value
    # wrapped onto a line of its own may start with '{"': it is neither)
    assert not [line for line in demo.stdout.splitlines() if _log_or_metric(line)]


def _log_or_metric(line: str) -> bool:
    """A Powertools log record or an EMF metric blob: a JSON object with their keys."""
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and bool({"level", "_aws"} & record.keys())


def test_the_demo_walks_through_every_step(demo: subprocess.CompletedProcess[str]) -> None:
    for heading in (
        "1. Start the emulator",
        "2. Seed an estate of Client VPN endpoints",
        "3. Replay CloudTrail events through the enforcer Lambda",
        "4. Run the scheduled sweeper",
        "5. The compliance report, as the subscriber received it",
        "6. The maintenance window opens",
        "7. What just happened",
    ):
        assert heading in demo.stdout
    assert re.search(r"Demo finished in \d+\.\d s\. The emulator is stopped", demo.stdout)


def test_a_user_change_is_remediated_with_before_and_after_and_users_affected(
    demo: subprocess.CompletedProcess[str],
) -> None:
    out = demo.stdout
    assert "sam.lee@example.com" in out
    # The demo words the verdict as the notice does (one renderer for both)
    assert "- [HIGH] disconnect-on-session-timeout (fixed): expected true, actual false" in out
    assert "- DisconnectOnSessionTimeout: false -> true" in out
    assert "- SessionTimeoutHours: 24 -> 12" in out
    assert "Users affected: 7 active connection(s) at the time of the change." in out
    assert 'notice published: "[cvpn-guard] REMEDIATED cvpn-endpoint-' in out


def test_skipped_events_say_why(demo: subprocess.CompletedProcess[str]) -> None:
    out = demo.stdout
    assert "→ enforcer: skipped (own_change): loop guard: caller role" in out
    assert "→ enforcer: skipped (failed_call)" in out
    assert "→ enforcer: skipped (dry_run)" in out


def test_the_received_report_is_shown_and_valid(demo: subprocess.CompletedProcess[str]) -> None:
    out = demo.stdout
    assert "Subject            [cvpn-guard] REPORT 8 endpoints" in out
    assert "MessageAttributes  kind=report" in out
    assert "valid against schemas/compliance-report.schema.json" in out
    # The CLI's endpoint table, with the demo's names
    assert re.search(r"cvpn-endpoint-\w+\s+lab\s+\d{12}/eu-west-1\s+exempt", out)
    assert re.search(
        r"cvpn-endpoint-\w+\s+legacy\s+\d{12}/us-east-1\s+deferred\s+"
        r"disconnect-on-session-timeout, login-banner\*",
        out,
    )
    assert "- research: authorization" in out


def test_access_and_tag_changes_are_checked_as_they_happen(
    demo: subprocess.CompletedProcess[str],
) -> None:
    out = demo.stdout
    # An access-all rule is reported the moment it is added, and its removal is silent
    authorized = out.index("[authorize_ingress_for_all_groups.json]")
    revoked = out.index("[revoke_ingress.json]")
    assert re.search(r"AuthorizeClientVpnIngress engineering \(cvpn-endpoint-\w+\)", out)
    assert "- [HIGH] authorization (needs a human)" in out[authorized:revoked]
    assert "→ enforcer: compliant" in out[revoked : revoked + 600]
    # One tag call on two endpoints checks each on its own
    assert re.search(r"CreateTags sales \(cvpn-endpoint-\w+\), partners \(cvpn-endpoint-\w+\)", out)
    assert "→ enforcer, each endpoint on its own: sales compliant, partners compliant" in out


def _replays(out: str) -> dict[str, str]:
    """Step 3's text per sample file: from its ``▸`` line to the next one."""
    step = out[out.index("3. Replay CloudTrail events") : out.index("4. Run the scheduled sweeper")]
    blocks = re.split(r"^  ▸ ", step, flags=re.MULTILINE)[1:]
    return {re.search(r"\[(\S+\.json)\]", block).group(1): block for block in blocks}  # type: ignore[union-attr]


def test_every_sample_event_is_replayed_through_the_enforcer(
    demo: subprocess.CompletedProcess[str],
) -> None:
    # Then each sample of events/ (the sweeper's aside) has its replay, and each replay ends
    # in what the enforcer did with it: no sample is only named
    samples = sorted(path.name for path in EVENTS.glob("*.json"))
    replays = _replays(demo.stdout)
    assert sorted(replays) == samples
    for block in replays.values():
        assert "→ enforcer" in block, block
        assert "not replayed" not in block, block
    assert "not replayed" not in demo.stdout


def test_the_routes_rule_fires_on_the_sample_route_to_the_internet(
    demo: subprocess.CompletedProcess[str],
) -> None:
    replays = _replays(demo.stdout)
    # Given jane.doe's route to 0.0.0.0/0 through the contractors' subnet
    route = replays["create_route.json"]
    subnet = re.search(r'TargetVpcSubnetId="(subnet-\w+)"', route)
    assert subnet, route
    assert re.search(r"CreateClientVpnRoute contractors \(cvpn-endpoint-\w+\)", route)
    # Then the baseline's routes rule reports it (reported only: deleting routes is opt-in)
    flat = " ".join(route.split())
    assert "- [HIGH] routes (needs a human): expected [], actual" in flat
    assert f'"DestinationCidr": "0.0.0.0/0", "Target": "{subnet.group(1)}"' in flat
    assert 'notice published: "[cvpn-guard] NON_COMPLIANT' in route
    # And once the route is deleted, the routes finding is gone
    assert "routes" not in _findings_text(replays["delete_route.json"])


def _findings_text(block: str) -> str:
    return block[block.index("→ enforcer") :]


def test_the_network_revocation_list_and_policy_calls_are_made_before_their_events(
    demo: subprocess.CompletedProcess[str],
) -> None:
    replays = _replays(demo.stdout)
    # The samples' network ids are the demo's own (its VPC, subnet, group, association)
    seeded = re.search(
        r"(vpc-\w+) +contractors +VPC 10\.0\.0\.0/16: subnet (subnet-\w+)", demo.stdout
    )
    assert seeded, demo.stdout[:5000]
    vpc, subnet = seeded.groups()
    assert f'SubnetId="{subnet}"' in replays["associate_target_network.json"]
    assert f'VpcId="{vpc}"' in replays["apply_security_groups.json"]
    assert re.search(r'AssociationId="cvpn-assoc-\w+"', replays["disassociate_target_network.json"])
    for sample in (
        "associate_target_network.json",
        "apply_security_groups.json",
        "disassociate_target_network.json",
        "delete_tags.json",
    ):
        assert "→ enforcer: non compliant" in replays[sample]  # still no connection logging
    # And sam.lee's calls on sales leave it compliant: checked, nothing to say
    for sample in (
        "modify_authorization_policy.json",
        "import_revocation_list.json",
        "delete_authorization_policy.json",
    ):
        assert re.search(r"^    \w+ sales \(cvpn-endpoint-\w+\)$", replays[sample], re.MULTILINE)
        assert "→ enforcer: compliant" in replays[sample]
    assert 'Tags=["owner"]' in replays["delete_tags.json"]


def test_the_enforcers_own_sample_sets_the_policys_approved_banner() -> None:
    from cvpn_guard.policy import default_policy

    # Given the enforcer's own Modify (the fix of the create sample, which the loop guard skips)
    event = json.loads((EVENTS / "modify_endpoint_by_enforcer.json").read_text())
    request = event["detail"]["requestParameters"]["ModifyClientVpnEndpointRequest"]

    # Then it sets what the baseline demands, so nothing later calls the text outdated
    banner = default_policy().rules.get("login-banner")
    assert banner is not None
    assert request["ClientLoginBannerOptions"] == {"Enabled": True, "BannerText": banner.text}  # type: ignore[attr-defined]


def test_one_disruptive_fix_waits_for_its_window_and_is_applied_when_it_opens(
    demo: subprocess.CompletedProcess[str],
) -> None:
    out = demo.stdout
    report = out[out.index("5. The compliance report") : out.index("6. The maintenance window")]
    window_step = out[out.index("6. The maintenance window") : out.index("7. What just happened")]
    # Given legacy tagged with a window that the policy says is closed now
    tagged = re.search(r"legacy .* tag cvpn-guard:maintenance-window=([\w-]+)$", out, re.MULTILINE)
    assert tagged, out[:4000]
    window = tagged.group(1)
    opens = re.search(rf"^ +{window} +.*: closed now, opens (\S+) \(legacy\)$", out, re.MULTILINE)
    assert opens, out[:6000]

    # Then the sweep fixed its banner now and deferred one fix (the only one) to that opening
    assert "fixed in part by this sweep, a fix deferred to its maintenance window: legacy" in report
    assert out.count("(deferred until ") == 1
    assert f"- [HIGH] disconnect-on-session-timeout (deferred until {opens.group(1)})" in report
    assert f"not applied now: \"outside maintenance window '{window}'" in " ".join(report.split())
    assert "- [MEDIUM] login-banner (fixed)" in report
    assert "- DisconnectOnSessionTimeout:" not in report

    # And when the window opens, one tick applies it (with the users it touched), the next
    # tick does nothing
    assert f"policy: {window} is every day" in window_step
    assert "✓ window tick: swept" in window_step
    assert re.search(r"legacy \(cvpn-endpoint-\w+\): deferred -> remediated", window_step)
    assert "- DisconnectOnSessionTimeout: false -> true" in window_step
    assert "Users affected: 3 active connection(s)" in window_step
    assert "✓ window tick again: idle (the open windows' deferred fixes were applied already)" in (
        window_step
    )
