"""The demo's building blocks: reading the sample events, the policy it writes, its layout."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cvpn_devkit.demo import estate, replay, windows
from cvpn_devkit.demo.environment import base_environment, emulator_session
from cvpn_devkit.demo.render import WIDTH, Console, show_endpoint_verdict

from cvpn_guard.cli.policy_commands import default_policy_text
from cvpn_guard.findings import EndpointStatus, Finding
from cvpn_guard.policy import (
    WINDOW_TAG,
    DisruptiveFixTiming,
    Mode,
    default_policy,
    load_policy,
)
from cvpn_guard.report import EndpointReport, endpoint_details

EVENTS = Path(__file__).resolve().parents[3] / "events"


def test_samples_come_in_the_order_the_calls_happened() -> None:
    samples = replay.load_samples(EVENTS)
    times = [sample.detail["eventTime"] for sample in samples]
    assert times == sorted(times)
    assert {sample.name for sample in samples} == {path.name for path in EVENTS.glob("*.json")}


def test_each_sample_points_at_the_endpoint_its_story_is_about() -> None:
    samples = {sample.name: sample for sample in replay.load_samples(EVENTS)}
    assert samples["create_endpoint_failed.json"].target is None  # nothing was created
    assert samples["create_endpoint_noncompliant.json"].creates
    assert samples["create_endpoint_noncompliant.json"].target == "contractors"
    assert samples["modify_endpoint_by_enforcer.json"].target == "contractors"
    assert samples["modify_endpoint_by_user.json"].target == "sales"
    # Access-all rules are shown on an endpoint otherwise by the book; tags on two at once
    assert samples["authorize_ingress_for_all_groups.json"].targets == ("engineering",)
    assert samples["revoke_ingress.json"].targets == ("engineering",)
    assert samples["create_tags_on_two_endpoints.json"].targets == ("sales", "partners")
    # jane.doe's network calls are on the endpoint she created, sam.lee's on sales
    for name in ("associate_target_network", "create_route", "delete_tags", "delete_route"):
        assert samples[f"{name}.json"].targets == ("contractors",), name
    for name in ("import_revocation_list", "modify_authorization_policy"):
        assert samples[f"{name}.json"].targets == ("sales",), name


def test_every_sample_has_a_story_and_every_story_a_sample() -> None:
    # A sample without a story would be replayed against whatever endpoint: say which one
    assert set(replay.TARGETS) == {path.name for path in EVENTS.glob("*.json")}


def test_the_demo_makes_every_samples_call_before_its_event_arrives() -> None:
    from cvpn_devkit.demo.recorded_calls import CALLS

    # The create is made by the story; the modifies' drift is seeded with the estate; the
    # enforcer's own Modify and the failed calls changed nothing
    made_elsewhere = {"CreateClientVpnEndpoint", "ModifyClientVpnEndpoint"}
    for sample in replay.load_samples(EVENTS):
        assert sample.targets or sample.error_code, sample.name
        if not sample.error_code:
            assert sample.event_name in {*CALLS, *made_elsewhere}, sample.name


def test_every_network_id_the_samples_name_is_the_demos_own_when_replayed() -> None:
    samples = {sample.name: sample for sample in replay.load_samples(EVENTS)}
    network = estate.DemoNetwork(
        "vpc-00000000000000001",
        "subnet-00000000000000001",
        "sg-00000000000000001",
        "sg-00000000000000002",
    )
    # The association is the one id the demo learns from its call; the samples agree on it
    created = samples["associate_target_network.json"].detail["responseElements"]
    association = created["AssociateClientVpnTargetNetworkResponse"]["associationId"]
    disassociated = samples["disassociate_target_network.json"].detail["requestParameters"]
    assert disassociated["DisassociateClientVpnTargetNetworkRequest"]["AssociationId"] == (
        association
    )
    named = set().union(*(sample.resource_ids for sample in samples.values()))
    assert named == set(network.aliases()) | {association}

    # When a sample is pointed at the demo's endpoint and network
    moved = samples["create_route.json"].pointed_at(
        "cvpn-endpoint-00000000000000001", aliases=network.aliases()
    )

    # Then the route goes through the demo's subnet, on the demo's endpoint
    request = moved.detail["requestParameters"]["CreateClientVpnRouteRequest"]
    assert request["TargetVpcSubnetId"] == "subnet-00000000000000001"
    assert request["ClientVpnEndpointId"] == "cvpn-endpoint-00000000000000001"
    assert moved.resource_ids == {"subnet-00000000000000001"}


def test_an_association_the_demo_makes_replaces_the_one_the_sample_recorded() -> None:
    from cvpn_devkit.demo.recorded_calls import make_recorded_call

    # Given an EC2 that records the association call and answers with its own id
    calls: list[dict[str, Any]] = []

    class FakeEc2:
        def associate_client_vpn_target_network(self, **request: Any) -> dict[str, Any]:
            calls.append(request)
            return {"AssociationId": "cvpn-assoc-00000000000000001"}

    samples = {sample.name: sample for sample in replay.load_samples(EVENTS)}
    sample = samples["associate_target_network.json"].pointed_at(
        "cvpn-endpoint-00000000000000001", aliases={"subnet-0b1c2d3e4f5a6b7c8": "subnet-1"}
    )

    # When the demo makes the sample's call
    learned = make_recorded_call(FakeEc2(), sample, ("cvpn-endpoint-00000000000000001",))

    # Then it was made with the sample's subnet (the demo's), and the sample's association
    # id stands for the real one from now on
    assert calls == [
        {"ClientVpnEndpointId": "cvpn-endpoint-00000000000000001", "SubnetId": "subnet-1"}
    ]
    assert learned == {"cvpn-assoc-0e1f2a3b4c5d6e7f8": "cvpn-assoc-00000000000000001"}


def test_the_revocation_list_sample_is_a_crl_aws_could_import() -> None:
    from cryptography import x509

    # events/README.md: a real CRL of a made-up CA, revoking serial 3 (the emulator parses it)
    (sample,) = [s for s in replay.load_samples(EVENTS) if s.name == "import_revocation_list.json"]
    request = sample.detail["requestParameters"][
        "ImportClientVpnClientCertificateRevocationListRequest"
    ]
    crl = x509.load_pem_x509_crl(request["CertificateRevocationList"].encode())
    assert [revoked.serial_number for revoked in crl] == [3]
    assert crl.issuer.rfc4514_string() == "CN=clients.example"
    assert replay.requested(sample.detail) == [
        f"CertificateRevocationList=<a PEM X.509 CRL, {len(request['CertificateRevocationList'])} bytes>"
    ]


def test_pointing_a_sample_at_an_endpoint_rewrites_every_mention() -> None:
    (sample,) = [s for s in replay.load_samples(EVENTS) if s.creates]
    moved = sample.pointed_at("cvpn-endpoint-0123456789abcdef0")
    text = str(moved.event)
    assert "cvpn-endpoint-0d2c4e6f8a0b1c3d5" not in text
    assert text.count("cvpn-endpoint-0123456789abcdef0") == 2  # the id and the DNS name
    assert sample.event != moved.event  # the original is untouched


def test_a_sample_naming_two_endpoints_is_pointed_at_two() -> None:
    samples = {sample.name: sample for sample in replay.load_samples(EVENTS)}
    tagging = samples["create_tags_on_two_endpoints.json"]
    first, second = "cvpn-endpoint-00000000000000001", "cvpn-endpoint-00000000000000002"
    moved = tagging.pointed_at(first, second)
    items = moved.detail["requestParameters"]["resourcesSet"]["items"]
    assert [item["resourceId"] for item in items] == [first, second]
    # Given one endpoint only, every id of the sample becomes that one
    items = tagging.pointed_at(first).detail["requestParameters"]["resourcesSet"]["items"]
    assert [item["resourceId"] for item in items] == [first, first]


def test_the_loop_guard_role_is_the_enforcer_samples_session_issuer() -> None:
    assert replay.enforcer_role_arn(replay.load_samples(EVENTS)) == (
        "arn:aws:iam::123456789012:role/cvpn-guard-EnforcerFunctionRole-1A2B3C4D5E6F"
    )


def test_who_did_what_reads_like_a_person() -> None:
    samples = {sample.name: sample for sample in replay.load_samples(EVENTS)}
    user = samples["modify_endpoint_by_user.json"].detail
    assert replay.actor(user) == (
        "sam.lee@example.com (role AWSReservedSSO_NetworkEngineer_9f8e7d6c5b4a3f2e)"
    )
    assert replay.actor(samples["modify_endpoint_by_iam_user.json"].detail) == (
        "IAM user legacy-automation"
    )
    # CloudTrail's wire form ({"tag": 1, "content": ...}) is shown as plain values
    assert replay.requested(samples["modify_endpoint_by_iam_user.json"].detail) == [
        'SelfServicePortal="enabled"',
        'DnsServers={"CustomDnsServers": ["8.8.8.8", "8.8.4.4"], "Enabled": true}',
    ]
    assert replay.requested(samples["authorize_ingress_for_all_groups.json"].detail) == [
        'TargetNetworkCidr="0.0.0.0/0"',
        "AuthorizeAllGroups=true",
        'Description="Temporary: contractor onboarding"',
    ]
    # Tag calls are not wrapped: their tagSet reads as the tags they set
    assert replay.requested(samples["create_tags_on_two_endpoints.json"].detail) == [
        'Tags={"cost-center": "4410"}'
    ]
    # A DeleteTags names keys only
    assert replay.requested(samples["delete_tags.json"].detail) == ['Tags=["owner"]']


FRIDAY_NOON = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _demo_windows(now: datetime) -> dict[str, windows.DemoWindow]:
    name, closed = windows.closed_window(now)
    return {"default": windows.open_around(now), name: closed}


def test_the_demo_policy_is_the_default_baseline_in_enforce_mode_plus_an_exemption() -> None:
    # Given the lab endpoint / When the demo writes its policy
    lab = estate.SeededEndpoint(estate.ESTATE[3], "cvpn-endpoint-0123456789abcdef0")
    text = estate.demo_policy_text(
        default_policy_text(), [lab], date(2026, 11, 27), _demo_windows(FRIDAY_NOON)
    )
    policy = load_policy(text)

    # Then the rules are the default's, switched from report (the baseline) to enforce mode
    assert default_policy().mode is Mode.REPORT
    assert policy.mode is Mode.ENFORCE
    assert policy.rules == default_policy().rules
    # And the lab is exempt until 90 days later
    (exemption,) = policy.exemptions
    assert exemption.endpoint_id == lab.endpoint_id
    assert exemption.expires == date(2027, 2, 25)
    assert exemption.reason == estate.EXEMPTION_TICKET


def test_in_the_demo_policy_one_endpoint_waits_for_a_closed_window_the_others_do_not() -> None:
    # Given the demo's windows on a Friday at noon / When it writes its policy
    text = estate.demo_policy_text(
        default_policy_text(), [], FRIDAY_NOON.date(), _demo_windows(FRIDAY_NOON)
    )
    fixes = load_policy(text).disruptive_fixes

    # Then disruptive fixes wait for the endpoint's window: default is open now, the window
    # of the one endpoint tagged with its own is closed, opening on Saturday 02:00 in Berlin
    assert fixes.when is DisruptiveFixTiming.IN_WINDOW
    assert set(fixes.windows) == {"default", "weekend-nights"}
    (tagged,) = [spec for spec in estate.ESTATE if spec.own_window]
    name, window = fixes.window_for({WINDOW_TAG: "weekend-nights"})
    assert (name, tagged.name) == ("weekend-nights", "legacy")
    assert window is not None
    assert window.opening_at(FRIDAY_NOON) is None
    assert window.next_opening(FRIDAY_NOON).start.isoformat() == "2026-12-05T02:00:00+01:00"
    _, default = fixes.window_for({})
    assert default is not None
    assert default.opening_at(FRIDAY_NOON) is not None


def _every(step: timedelta, start: datetime, days: int) -> list[datetime]:
    return [start + n * step for n in range(int(timedelta(days=days) / step))]


# Weeks in which Berlin's clock springs forward (2026-03-29) and falls back (2026-10-25), each
# from Monday to Monday: every weekday night, weekend nights and the hours the clock skips or
# repeats.
DST_WEEKS = [
    *_every(timedelta(minutes=10), datetime(2026, 3, 23, tzinfo=UTC), 8),
    *_every(timedelta(minutes=10), datetime(2026, 10, 19, tzinfo=UTC), 8),
]


def test_the_demos_default_window_is_open_for_the_whole_run_whenever_it_runs() -> None:
    for now in DST_WEEKS:
        window = windows.open_around(now).model()
        # Open now, and still open an hour later (the demo lasts well under a minute)
        opening = window.opening_at(now)
        assert opening is not None, now
        assert opening.end.astimezone(UTC) >= now + timedelta(hours=1), now


def test_the_demos_closed_window_stays_closed_for_the_whole_run_whenever_it_runs() -> None:
    chosen = set()
    for now in DST_WEEKS:
        name, window = windows.closed_window(now)
        chosen.add(name)
        model = window.model()
        assert model.opening_at(now) is None, now
        assert model.opening_at(now + timedelta(hours=1)) is None, now
    # Weekend nights, except on (or just before) one, when weeknights stand in
    assert chosen == {"weekend-nights", "weeknights"}
    saturday_3am_berlin = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert windows.closed_window(saturday_3am_berlin)[0] == "weeknights"


def test_the_demo_tags_only_its_own_window_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a fake EC2 that records the create requests
    created: list[dict[str, Any]] = []

    class FakeEc2:
        def create_client_vpn_endpoint(self, **request: Any) -> dict[str, str]:
            created.append(request)
            return {"ClientVpnEndpointId": f"cvpn-endpoint-{len(created):017d}"}

        def authorize_client_vpn_ingress(self, **_: Any) -> None:
            pass

    class FakeLogs:
        """CloudWatch Logs, where the endpoints that log get their group first."""

        class exceptions:  # boto3 spells it so
            ResourceAlreadyExistsException = RuntimeError

        def create_log_group(self, **_: Any) -> None:
            pass

    def client(service: str, region: str) -> Any:
        return FakeLogs() if service == "logs" else FakeEc2()

    # When the estate is seeded with the closed window's name
    estate.seed_estate(client, lambda e, u: None, "weeknights")

    # Then the legacy endpoint alone carries the window tag
    def window_tag(request: dict[str, Any]) -> str | None:
        tags = request["TagSpecifications"][0]["Tags"]
        return next((t["Value"] for t in tags if t["Key"] == WINDOW_TAG), None)

    tagged = {
        spec.name: window_tag(request)
        for spec, request in zip(estate.ESTATE, created, strict=True)
        if window_tag(request)
    }
    assert tagged == {"legacy": "weeknights"}


def test_enforcing_a_baseline_without_a_mode_line_adds_one() -> None:
    # Given a baseline that relies on the default mode (report) / When the demo opts in
    text = estate.enforcing("version: 1\nrules:\n  login-banner:\n")

    # Then the policy enforces, with one mode key (a second would be a duplicate key)
    assert load_policy(text).mode is Mode.ENFORCE
    assert text.count("mode:") == 1


def test_the_demo_shows_a_verdict_in_the_notices_words_wrapped_to_its_width() -> None:
    # Given a remediated endpoint with a short finding and one with long values
    short_one = Finding(
        rule="session-timeout",
        severity="medium",
        expected=12,
        actual=24,
        remediable=True,
        disruptive=True,
    )
    long_one = Finding(
        rule="connection-logging",
        severity="high",
        expected={"Enabled": True},
        actual={"Enabled": False, "CloudwatchLogGroup": None, "CloudwatchLogStream": None},
        remediable=False,
        disruptive=False,
    )
    endpoint = EndpointReport(
        endpoint_id="cvpn-endpoint-0123456789abcdef0",
        account="123456789012",
        region="eu-west-1",
        status=EndpointStatus.REMEDIATED,
        findings=(short_one, long_one),
        fixed_rules=("session-timeout",),
    )

    # When the demo shows its verdict
    out = io.StringIO()
    show_endpoint_verdict(Console(out), endpoint, indent=6)

    # Then the words are the notice's, only indented and wrapped to the demo's width
    shown = out.getvalue().splitlines()
    assert " ".join(" ".join(shown).split()) == " ".join(
        " ".join(endpoint_details(endpoint)).split()
    )
    assert "        - [MEDIUM] session-timeout (fixed): expected 12, actual 24" in shown
    assert all(len(line) <= WIDTH for line in shown)


def test_the_demo_ignores_the_developers_aws_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a developer's shell with a profile, a real-looking key and an unrelated variable
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("CVPN_DEMO_TEST", "kept")
    before = dict(os.environ)

    # When the demo builds its session and its Lambdas' environment
    session = emulator_session("eu-west-1", str(tmp_path))
    environment = base_environment("http://127.0.0.1:5000", "eu-west-1", str(tmp_path))

    # Then neither uses the profile or the key, and the Lambdas get nothing else of the shell
    assert session.get_credentials().access_key == "demo"
    assert session.client("sqs").meta.region_name == "eu-west-1"
    assert environment["AWS_ACCESS_KEY_ID"] == "demo"
    assert "AWS_PROFILE" not in environment
    assert "CVPN_DEMO_TEST" not in environment
    # And the demo's own process environment is untouched
    assert dict(os.environ) == before
