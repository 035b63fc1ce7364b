"""Memory of one enforcer process against the number of member accounts it has acted in.

In organization mode a warm enforcer keeps, per member account, the role's credentials and
its clients there. The built enforcer (``cvpn_devkit.artifact``) runs in a fresh interpreter
(``member_probe``) configured as template.yaml deploys it in organization mode: the policy from
SSM, notices on SNS, leases in DynamoDB, ``MEMBER_ROLE_NAME`` set and Security Hub on (so each
pair has two member clients, EC2 and Security Hub). An emulator process answers, AssumeRole
included, for any account. Each member account x region pair holds one drifted endpoint, and
one forwarded event per pair is handled in turn (describe, modify, verify, notice, findings).

Figures: the peak RSS after 1, 25 and 100 pairs, and the ratios 25/1 and 100/1 (median of the
rounds, each round a fresh emulator state and a fresh enforcer process); the emulator's count
of AssumeRole calls per member account.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from cvpn_devkit.artifact import Artifact
from cvpn_devkit.demo.replay import recorded_in

from benchmarks import cold_start, sweep
from benchmarks.probes import run_probe
from benchmarks.table import Row
from cvpn_emulator.control import EmulatorControl
from tests.support.estate import compliant_overrides, create_endpoint
from tests.support.events import load_event

PROBE = Path(__file__).resolve().with_name("member_probe.py")
PAIRS = (1, 25, 100)
ROUNDS = 3
REGIONS = ("eu-west-1", "us-east-1", "eu-central-1", "ap-southeast-2")
TARGET = 1.3  # issue 18: at most 1.3x the one-pair figure (it was +30 MB per pair)
TIMEOUT_SECONDS = 600
FUNCTION_ARN = f"arn:aws:lambda:{REGIONS[0]}:123456789012:function:{cold_start.ENFORCER}"
SECTION = "organization mode: one enforcer process, events from N member account x region pairs"


def member_pairs(count: int) -> list[tuple[str, str]]:
    """``count`` pairs, each a new account (so each one needs an AssumeRole of its own)."""
    return [(str(210_000_000_000 + n), REGIONS[n % len(REGIONS)]) for n in range(count)]


def _member_client(url: str, account: str, region: str, service: str) -> Any:
    """``service`` in ``account`` as its administrators would use it (to create the estate)."""
    credentials = boto3.client("sts", region_name=region, endpoint_url=url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="admin",
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def _forwarded_events(url: str, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """One drifted endpoint per pair, and the forwarded event of a user's change to it."""
    drifted = {**compliant_overrides(), "DisconnectOnSessionTimeout": False}
    events = []
    for number, (account, region) in enumerate(pairs):
        endpoint_id = create_endpoint(
            _member_client(url, account, region, "ec2"),
            logs=_member_client(url, account, region, "logs"),
            **drifted,
        )
        event = load_event(
            "modify_endpoint_by_user",
            endpoint_id,
            event_id=f"00000000-0000-4000-8000-{number:012d}",
        )
        events.append(recorded_in(event, account, region))
    return events


def _environment(url: str, deployment: dict[str, str]) -> dict[str, str]:
    return {
        **cold_start.LAMBDA_ENVIRONMENT,
        **cold_start.ENFORCER_ENVIRONMENT,
        **deployment,
        "MEMBER_ROLE_NAME": "cvpn-guard-member",
        "ENFORCEMENT_MODE": "enforce",  # the default policy only reports (see sweep.py)
        "SECURITY_HUB": "true",
        "AWS_MAX_ATTEMPTS": "6",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
        "AWS_ENDPOINT_URL": url,
    }


def run_once(artifact: Artifact, url: str, scratch: Path) -> dict[str, Any]:
    """A fresh emulator state and enforcer process; its checkpoints and AssumeRole count."""
    control = EmulatorControl(url)
    control.reset()
    environment = _environment(url, sweep.deployment(url))
    pairs = member_pairs(max(PAIRS))
    events_file = scratch / "member-events.json"
    events_file.write_text(json.dumps(_forwarded_events(url, pairs)))
    control.reset_call_counts()
    settings = {
        "sys_path": [str(artifact.function("enforcer")), str(artifact.layer)],
        "events": str(events_file),
        "checkpoints": list(PAIRS),
        "function_arn": FUNCTION_ARN,
    }
    record = run_probe(
        artifact,
        PROBE,
        settings,
        environment={**environment, "HOME": str(scratch)},
        timeout=TIMEOUT_SECONDS,
        what="the member-accounts probe",
        cwd=scratch,
    )
    if record["statuses"] != {"remediated": len(pairs)}:
        raise RuntimeError(f"not every member event was remediated: {record['statuses']}")
    record["assume_role_calls"] = control.call_counts().get("AssumeRole", 0)
    return record


def _ratio_row(rounds: list[dict[str, Any]], pairs: int) -> Row:
    ratios = [
        r["checkpoints"][str(pairs)]["peak_rss_mib"] / r["checkpoints"]["1"]["peak_rss_mib"]
        for r in rounds
    ]
    last = rounds[-1]["checkpoints"][str(pairs)]
    return Row(
        SECTION,
        f"peak RSS {pairs} / 1 pairs",
        statistics.median(ratios),
        "x",
        target=TARGET,
        note=(
            f"{min(ratios):.2f}-{max(ratios):.2f} over {len(rounds)} rounds; holding "
            f"{last['clients_held']} member clients, {last['accounts_held']} accounts' credentials"
        ),
    )


def run(artifact: Artifact, scratch: Path, rounds: int = ROUNDS) -> list[Row]:
    """``rounds`` fresh enforcer processes against one emulator process; tabulate."""
    with sweep.estate_emulator({}) as url:
        records = [run_once(artifact, url, scratch) for _ in range(rounds)]
    rows = [
        Row(
            SECTION,
            f"peak RSS after {pairs} pair{'s' if pairs > 1 else ''}",
            statistics.median(r["checkpoints"][str(pairs)]["peak_rss_mib"] for r in records),
            "MiB",
        )
        for pairs in PAIRS
    ]
    rows += [_ratio_row(records, pairs) for pairs in PAIRS[1:]]
    rows.append(
        Row(
            SECTION,
            f"AssumeRole calls for {max(PAIRS)} member accounts",
            max(r["assume_role_calls"] for r in records),
            "calls",
            target=max(PAIRS),
            compare="exactly",
            note="one per account (the most of any round)",
        )
    )
    return rows
