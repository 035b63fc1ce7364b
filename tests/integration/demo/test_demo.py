"""``cvpn-guard demo`` as a newcomer runs it (``make demo``): a real process, start to end."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.integration.demo.conftest import run_demo

pytestmark = [pytest.mark.slow, pytest.mark.server]


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
    # The calls the demo cannot make on its estate are named, not replayed
    assert "[create_route.json]" in out
    assert "not replayed in the demo" in out


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
