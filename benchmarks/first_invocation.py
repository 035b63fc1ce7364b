"""The enforcer's whole first invocation, cold, to the handler's return, beside Custodian's.

An emulator process (``sweep.estate_emulator``) stands for AWS; each subject is a fresh
``python -I -S`` in its Lambda layout (``invocation_probe``) with ``AWS_ENDPOINT_URL`` at it.
The enforcer runs as template.yaml deploys it with its defaults (the default policy from SSM,
the state table's lease and outbox in DynamoDB, notices on SNS, the template's tracing) with
``EnforcementMode`` enforce, so that a drifted endpoint is fixed: on a compliant endpoint it
describes it (and its authorization rules and routes, which the default policy checks); on a
drifted one it describes, modifies, verifies and notifies. Custodian runs the same event with a
policy checking what the default policy checks of the endpoint (``custodian_peer``): describe,
filter and, when the endpoint is drifted, notify. The enforcer's own ModifyClientVpnEndpoint,
which comes back to it through CloudTrail after every fix, is timed too: a cold start for an
event it skips, beside one for a compliant endpoint.

Before each round the emulator is reset and seeded afresh: one compliant endpoint (read by
both products) and one drifted endpoint per product (the enforcer fixes its own). Subjects run
interleaved in a rotating order; each ratio is the median of per-round ratios, with its range.
The emulator answers far slower than AWS, and the enforcer makes more calls (its lease, its
outbox, the extra describes), so these ratios are an upper bound on what AWS would show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from cvpn_devkit.artifact import Artifact

from benchmarks import cold_start, custodian_peer, sweep
from benchmarks.deployed_tracing import Tracing
from benchmarks.load import rested
from benchmarks.probes import run_probe
from benchmarks.table import Row, paired
from cvpn_emulator.control import EmulatorControl
from tests.support.estate import BANNER, compliant_overrides, create_endpoint
from tests.support.events import load_event

PROBE = Path(__file__).resolve().with_name("invocation_probe.py")
REGION = sweep.REGIONS[0]
TIMEOUT_SECONDS = 120  # the enforcer's Lambda timeout in template.yaml
SECTION_TEMPLATE = (
    "whole first invocation, cold, to the handler's return (median of {} paired runs)"
)
DRIFT = {"DisconnectOnSessionTimeout": False, "SessionTimeoutHours": 24}
MODIFY = "ModifyClientVpnEndpoint"
PUBLISH = "Publish"
SERVICES = {
    "Publish": "SNS",
    "GetParameter": "SSM",
    "PutItem": "DynamoDB",
    "GetItem": "DynamoDB",
    "DeleteItem": "DynamoDB",
    "UpdateItem": "DynamoDB",
    "ListAccountAliases": "IAM",
}


def calls_by_service(calls: dict[str, int]) -> str:
    """``EC2 5, DynamoDB 5, SNS 1, SSM 1``: what an invocation asked of the emulator."""
    services: dict[str, int] = {}
    for operation, count in calls.items():
        service = SERVICES.get(operation, "EC2")
        services[service] = services.get(service, 0) + count
    return ", ".join(
        f"{service} {n}" for service, n in sorted(services.items(), key=lambda s: -s[1])
    )


@dataclass(frozen=True)
class Case:
    """One subject of a round: which product, on which endpoint, and what it must have done."""

    name: str
    probe: str
    drifted: bool
    event: str = "modify_endpoint_by_user"

    def check(self, record: dict[str, Any], calls: dict[str, int]) -> None:
        """Raise RuntimeError unless the invocation did what this case measures."""
        if self.event == SKIPPED_EVENT:
            done = record["outcome"] == "skipped" and not calls
        elif self.probe == "enforcer":
            expected = "remediated" if self.drifted else "compliant"
            done = record["outcome"] == expected and (calls.get(MODIFY, 0) > 0) == self.drifted
        else:
            done = record["outcome"] == "policies run" and calls.get(MODIFY, 0) == 0
        done = done and (calls.get(PUBLISH, 0) > 0) == self.drifted
        if not done:
            raise RuntimeError(f"the {self.name} invocation did not do its work: {record}, {calls}")


SKIPPED_EVENT = "modify_endpoint_by_enforcer"  # the enforcer's own fix, back through CloudTrail
ENFORCER_COMPLIANT = Case("enforcer, compliant endpoint", "enforcer", drifted=False)
ENFORCER_SKIPPED = Case(
    "enforcer, its own modify (skipped)", "enforcer", drifted=False, event=SKIPPED_EVENT
)
ENFORCER_DRIFTED = Case("enforcer, drifted endpoint", "enforcer", drifted=True)
CUSTODIAN_COMPLIANT = Case("Cloud Custodian, compliant endpoint", "custodian", drifted=False)
CUSTODIAN_DRIFTED = Case("Cloud Custodian, drifted endpoint", "custodian", drifted=True)
CASES = (
    ENFORCER_COMPLIANT,
    ENFORCER_DRIFTED,
    ENFORCER_SKIPPED,
    CUSTODIAN_COMPLIANT,
    CUSTODIAN_DRIFTED,
)


def _seed(url: str, round_: int, scratch: Path) -> dict[str, Path]:
    """Endpoints for one round and each case's event file (a user's ModifyClientVpnEndpoint)."""
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=url)
    compliant = create_endpoint(ec2, **compliant_overrides())
    events = {}
    for number, case in enumerate(CASES):
        endpoint = (
            create_endpoint(ec2, **{**compliant_overrides(), **DRIFT})
            if case.drifted
            else compliant
        )
        event = load_event(
            case.event,
            endpoint,
            event_id=f"00000000-0000-4000-8000-{round_:06d}{number:06d}",
        )
        path = scratch / f"event-{number}.json"
        path.write_text(json.dumps(event))
        events[case.name] = path
    return events


def _environments(
    url: str, deployment: dict[str, str], tracing: Tracing
) -> dict[str, dict[str, str]]:
    base = {**cold_start.LAMBDA_ENVIRONMENT, "AWS_ENDPOINT_URL": url}
    enforcer = {
        **base,
        **cold_start.ENFORCER_ENVIRONMENT,
        **deployment,
        "ENFORCEMENT_MODE": "enforce",
        "AWS_MAX_ATTEMPTS": "5",
        **tracing.environment,
    }
    peer = {**base, "AWS_LAMBDA_FUNCTION_NAME": cold_start.PEER}
    return {"enforcer": enforcer, "custodian": peer}


def _invoke(
    artifact: Artifact,
    case: Case,
    *,
    event: Path,
    environment: dict[str, str],
    folders: dict[str, Path],
    control: EmulatorControl,
) -> dict[str, Any]:
    function = cold_start.ENFORCER if case.probe == "enforcer" else cold_start.PEER
    sys_path = (
        [str(artifact.function("enforcer")), str(artifact.layer)]
        if case.probe == "enforcer"
        else [str(custodian_peer.site_packages())]
    )
    settings = {
        "sys_path": sys_path,
        "event": str(event),
        "function_arn": f"arn:aws:lambda:{REGION}:123456789012:function:{function}",
    }
    control.reset_call_counts()
    record = run_probe(
        artifact,
        PROBE,
        settings,
        environment={**environment, "HOME": str(folders[case.probe])},
        timeout=TIMEOUT_SECONDS,
        what=f"the {case.name} invocation",
        cwd=folders[case.probe],
        arguments=(case.probe,),
    )
    record["calls"] = control.call_counts()
    case.check(record, record["calls"])
    return record


def measure(
    artifact: Artifact, scratch: Path, runs: int, tracing: Tracing
) -> dict[str, list[dict[str, Any]]]:
    """Every case ``runs`` times (after one warm-up round), interleaved, a fresh estate a round."""
    folders = {"enforcer": scratch / "first-enforcer", "custodian": scratch / "first-custodian"}
    folders["enforcer"].mkdir()
    records: dict[str, list[dict[str, Any]]] = {case.name: [] for case in CASES}
    with sweep.estate_emulator({}) as url:
        control = EmulatorControl(url)
        for round_ in range(runs + 1):
            control.reset()
            deployment = sweep.deployment(url)
            custodian_peer.write_config(
                folders["custodian"],
                custodian_peer.policy_document(
                    custodian_peer.default_policy_filters(BANNER),
                    deployment["NOTIFICATION_TOPIC_ARN"],
                ),
            )
            environments = _environments(url, deployment, tracing)
            events = _seed(url, round_, scratch)
            shift = round_ % len(CASES)
            for case in CASES[shift:] + CASES[:shift]:
                record = rested(
                    partial(
                        _invoke,
                        artifact,
                        case,
                        event=events[case.name],
                        environment=environments[case.probe],
                        folders=folders,
                        control=control,
                    )
                )
                if round_:  # round 0 writes the .pyc files and warms the page cache
                    records[case.name].append(record)
    return records


def _ratios(records: dict[str, list[dict[str, Any]]], mine: Case, theirs: Case) -> list[float]:
    return [
        a["ms"] / b["ms"] for a, b in zip(records[mine.name], records[theirs.name], strict=True)
    ]


def run(artifact: Artifact, scratch: Path, runs: int, tracing: Tracing) -> list[Row]:
    """Measure and tabulate the paired ratios; ``tracing`` is the enforcer's as deployed."""
    records = measure(artifact, scratch, runs, tracing)
    section = SECTION_TEMPLATE.format(runs)
    label = f"enforcer (template default: {tracing.label()})"

    def calls(case: Case) -> str:
        return f"{case.name.split(',')[0]}: {calls_by_service(records[case.name][-1]['calls'])}"

    return [
        paired(
            section,
            f"{label}, compliant endpoint / Custodian, same event",
            _ratios(records, ENFORCER_COMPLIANT, CUSTODIAN_COMPLIANT),
            note=f"{calls(ENFORCER_COMPLIANT)}; {calls(CUSTODIAN_COMPLIANT)}",
        ),
        paired(
            section,
            f"{label}, drifted endpoint (describe, modify, verify, notify) / Custodian, compliant",
            _ratios(records, ENFORCER_DRIFTED, CUSTODIAN_COMPLIANT),
            note=calls(ENFORCER_DRIFTED),
        ),
        paired(
            section,
            f"{label}, drifted endpoint / Custodian, drifted endpoint (describe, filter, notify)",
            _ratios(records, ENFORCER_DRIFTED, CUSTODIAN_DRIFTED),
            note=calls(CUSTODIAN_DRIFTED),
        ),
        paired(
            section,
            f"{label}, its own modify, skipped / enforcer, compliant endpoint",
            _ratios(records, ENFORCER_SKIPPED, ENFORCER_COMPLIANT),
            note="a skip loads no policy engine and calls nothing",
        ),
        paired(
            section,
            "peak RSS: enforcer, drifted endpoint / Custodian, drifted endpoint",
            [
                a["peak_rss_mib"] / b["peak_rss_mib"]
                for a, b in zip(
                    records[ENFORCER_DRIFTED.name], records[CUSTODIAN_DRIFTED.name], strict=True
                )
            ],
        ),
    ]
