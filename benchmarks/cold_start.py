"""The functions' cold starts beside a bare boto3 yardstick and Cloud Custodian.

Each subject runs in a fresh ``python -I -S`` (the same interpreter for all three) whose
``sys.path`` is a Lambda layout: the enforcer is the built artifact (function folder + layer,
``cvpn_devkit.artifact``), the yardstick sees the same layer, Custodian its own locked
environment. ``cold_probe.py`` times each from its first import to its first network access
(the AWS call that follows handler import, runtime, EC2 and SNS clients and policy load).
The sweeper and the sweep worker are timed alike, to whichever AWS call each makes first.

Every function runs with its tracing as template.yaml deploys it by default
(``deployed_tracing``): the targets are the deployed product's. The enforcer also runs with
tracing on and off, whichever of the two the template does not deploy, to show what it costs.

Runs are interleaved, round by round in a rotating order, so that the load of this shared
machine falls on every subject alike; each ratio is the median of per-round ratios (paired).
Nothing here is a pass/fail on absolute time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from cvpn_devkit.artifact import Artifact

from benchmarks import custodian_peer
from benchmarks.deployed_tracing import LAMBDA_TRACING, Tracing, deployed_tracing
from benchmarks.fixtures import ACCOUNT, FULL_POLICY_YAML, REGION, TOPIC_ARN
from benchmarks.load import rested
from benchmarks.table import Row, paired

REPO = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().with_name("cold_probe.py")
EVENT = REPO / "events" / "modify_endpoint_by_user.json"
SCHEDULED_EVENT = REPO / "events" / "sweeper" / "scheduled.json"
ENDPOINT_ID = "cvpn-endpoint-0a1b2c3d4e5f60718"  # the one the event names
FIRST_CALL = "DescribeClientVpnEndpoints"
ENFORCER = "cvpn-guard-enforcer"
PEER = "custodian-client-vpn-endpoint-policy"
NO_BYTECODE = "enforcer, no bytecode shipped"
YARDSTICK = "boto3 yardstick"
FLOOR = "stack floor (Powertools, pydantic, botocore)"
CUSTODIAN = "Cloud Custodian 0.9.53"
SWEEPER = "sweeper"
WORKER = "sweep worker"
# Targets of issue 21, for the template's defaults: the enforcer's cold path to its first AWS
# call against Custodian's and the yardstick's, and its peak RSS against Custodian's.
TARGET_CUSTODIAN = 0.6
TARGET_YARDSTICK = 0.9
TARGET_RSS_CUSTODIAN = 0.7

# The Lambda runtime's variables and the credentials it injects; no developer configuration.
LAMBDA_ENVIRONMENT = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "TZ": ":UTC",
    "LANG": "en_US.UTF-8",
    "PATH": "/usr/bin:/bin",
}
# template.yaml's enforcer variables, with the policy read from a file (as Custodian reads its
# config.json) so that the first AWS call is the describe; the deployed stack reads SSM first.
ENFORCER_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": ENFORCER,
    "POWERTOOLS_SERVICE_NAME": ENFORCER,
    "POWERTOOLS_METRICS_NAMESPACE": "CvpnGuard",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "ENFORCEMENT_MODE": "document",
    "NOTIFICATION_TOPIC_ARN": TOPIC_ARN,
    "LOOP_GUARD_ROLE_ARNS": f"arn:aws:iam::{ACCOUNT}:role/cvpn-guard-EnforcerRole",
}
# What Lambda adds when the function's tracing is Active, and the variable that turns it off.
TRACING_ON = LAMBDA_TRACING["Active"]
TRACING_OFF = {"POWERTOOLS_TRACE_DISABLED": "true"}
# The sweeper's and the worker's variables (template.yaml), the stack's resources named as the
# probe needs them only up to the first call; the policy from a file, as the enforcer's.
SWEEPER_ENVIRONMENT = {
    "AWS_LAMBDA_FUNCTION_NAME": "cvpn-guard-sweeper",
    "POWERTOOLS_SERVICE_NAME": "cvpn-guard-sweeper",
    "POWERTOOLS_METRICS_NAMESPACE": "CvpnGuard",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "ENFORCEMENT_MODE": "document",
    "NOTIFICATION_TOPIC_ARN": TOPIC_ARN,
    "STATE_TABLE_NAME": "cvpn-guard-state",
    "SWEEP_REGIONS": "eu-west-1,us-east-1",
    "AWS_MAX_ATTEMPTS": "5",
}
WORKER_ENVIRONMENT = {
    **SWEEPER_ENVIRONMENT,
    "AWS_LAMBDA_FUNCTION_NAME": "cvpn-guard-sweep-worker",
    "POWERTOOLS_SERVICE_NAME": "cvpn-guard-sweep-worker",
    "MEMBER_ROLE_NAME": "cvpn-guard-member",
}
# One SQS message of the organization sweep: one member account in one region.
WORK_ITEM = {
    "run_id": "2026-11-30T06:00:00Z",
    "account": "210000000000",
    "region": REGION,
    "shard": 0,
}


@dataclass(frozen=True)
class Subject:
    """One cold path: which probe, with which ``sys.path``, environment and folder."""

    name: str
    probe: str
    sys_path: tuple[str, ...]
    environment: Mapping[str, str]
    workdir: Path
    flags: tuple[str, ...] = ()
    event: Path = EVENT
    first_call: str | None = FIRST_CALL  # None: whichever AWS call comes first

    def run(self, python: str) -> dict[str, Any]:
        settings = {
            "sys_path": list(self.sys_path),
            "event": str(self.event),
            "endpoint_id": ENDPOINT_ID,
            "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.workdir.name}",
        }
        done = subprocess.run(  # noqa: S603 - our interpreter, our probe
            [python, "-I", "-S", *self.flags, str(PROBE), self.probe, json.dumps(settings)],
            env={**self.environment, "HOME": str(self.workdir)},
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        record: dict[str, Any] = json.loads(lines[-1]) if lines else {}
        expected = record.get("operation") is not None and self.first_call in (
            None,
            record.get("operation"),
        )
        if not expected:
            raise RuntimeError(
                f"the {self.name} probe did not stop at {self.first_call or 'an AWS call'}: "
                f"{record or done.stdout!r}\n{done.stderr[-3000:]}"
            )
        return record


@dataclass(frozen=True)
class Defaults:
    """Each function's tracing as the template deploys it."""

    enforcer: Tracing
    sweeper: Tracing
    worker: Tracing

    @classmethod
    def of_template(cls) -> Defaults:
        return cls(
            deployed_tracing("EnforcerFunction"),
            deployed_tracing("SweeperFunction"),
            deployed_tracing("SweepWorkerFunction"),
        )


def deployed_name(tracing: Tracing) -> str:
    """The enforcer subject as deployed: ``enforcer (template default: Tracing Active)``."""
    return f"enforcer (template default: {tracing.label()})"


def _sqs_event(root: Path) -> Path:
    """The SQS event of one work item, as Lambda's event source mapping delivers it."""
    path = root / "sweep-work.json"
    record = {
        "messageId": "00000000-0000-4000-8000-000000000002",
        "body": json.dumps(WORK_ITEM),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:cvpn-guard-sweep",
        "awsRegion": REGION,
    }
    path.write_text(json.dumps({"Records": [record]}))
    return path


def _subjects(artifact: Artifact, root: Path, defaults: Defaults) -> list[Subject]:
    policy_file = root / "policy.yaml"
    policy_file.write_text(FULL_POLICY_YAML)
    folders = {name: root / name for name in (ENFORCER, "boto3", "floor", "sweeper", "worker")}
    for folder in folders.values():
        folder.mkdir()
    peer_dir = root / PEER
    custodian_peer.write_config(peer_dir)
    enforcer_path = (str(artifact.function("enforcer")), str(artifact.layer))
    enforcer_env = {**LAMBDA_ENVIRONMENT, **ENFORCER_ENVIRONMENT, "POLICY_FILE": str(policy_file)}
    deployed = enforcer_env | defaults.enforcer.environment
    enforcer_dir = folders[ENFORCER]
    subjects = [
        Subject(deployed_name(defaults.enforcer), "enforcer", enforcer_path, deployed, enforcer_dir)
    ]
    # What tracing costs: the enforcer with it off and on, unless that is how it is deployed.
    for name, tracing in (
        ("enforcer, tracing off", TRACING_OFF),
        ("enforcer, tracing on", TRACING_ON),
    ):
        environment = enforcer_env | tracing
        if environment != deployed:
            subjects.append(Subject(name, "enforcer", enforcer_path, environment, enforcer_dir))
    policy = {"POLICY_FILE": str(policy_file)}
    return [
        *subjects,
        Subject(
            NO_BYTECODE,
            "enforcer",
            enforcer_path,
            deployed,
            enforcer_dir,
            # Bytecode looked up (and never written) under an empty folder: every module is
            # compiled, as on Lambda when the artifact ships none (what `sam build` alone makes).
            flags=("-B", "-X", f"pycache_prefix={root / 'no-bytecode'}"),
        ),
        Subject(
            SWEEPER,
            "enforcer",  # the same probe: import app, call its handler
            (str(artifact.function("sweeper")), str(artifact.layer)),
            {**LAMBDA_ENVIRONMENT, **SWEEPER_ENVIRONMENT, **policy, **defaults.sweeper.environment},
            folders["sweeper"],
            event=SCHEDULED_EVENT,
            first_call=None,
        ),
        Subject(
            WORKER,
            "enforcer",
            (str(artifact.function("sweep_worker")), str(artifact.layer)),
            {**LAMBDA_ENVIRONMENT, **WORKER_ENVIRONMENT, **policy, **defaults.worker.environment},
            folders["worker"],
            event=_sqs_event(root),
            first_call=None,
        ),
        Subject(
            FLOOR,
            "floor",
            (str(artifact.layer),),
            {**LAMBDA_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": "stack-floor"},
            folders["floor"],
        ),
        Subject(
            YARDSTICK,
            "boto3",
            (str(artifact.layer),),
            {**LAMBDA_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": "boto3"},
            folders["boto3"],
        ),
        Subject(
            CUSTODIAN,
            "custodian",
            (str(custodian_peer.site_packages()),),
            {**LAMBDA_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": PEER},
            peer_dir,
        ),
    ]


def interpreter() -> str:
    """The interpreter of Custodian's environment (its packages are built for it); the layer is
    built for the same one, so that all three subjects run on one Python."""
    done = subprocess.run(  # noqa: S603 - the locked tool environment's own interpreter
        [
            str(custodian_peer.VENV / "bin" / "python"),
            "-c",
            "import sys; print(sys._base_executable)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def measure(
    artifact: Artifact, subjects: list[Subject], runs: int
) -> dict[str, list[dict[str, Any]]]:
    """Every subject ``runs`` times, interleaved; one warm-up run each writes the .pyc files."""
    for subject in subjects:
        subject.run(artifact.python)
    records: dict[str, list[dict[str, Any]]] = {subject.name: [] for subject in subjects}
    for round_ in range(runs):
        shift = round_ % len(subjects)
        for subject in subjects[shift:] + subjects[:shift]:
            records[subject.name].append(rested(partial(subject.run, artifact.python)))
    return records


def ratios(
    records: dict[str, list[dict[str, Any]]], subject: str, base: str, field: str = "ms"
) -> list[float]:
    """``subject``'s ``field`` over ``base``'s, round by round (paired)."""
    return [
        mine[field] / theirs[field]
        for mine, theirs in zip(records[subject], records[base], strict=True)
    ]


def run(artifact: Artifact, root: Path, runs: int, defaults: Defaults | None = None) -> list[Row]:
    """Measure and tabulate: paired time ratios, peak RSS and loaded modules of each subject.

    ``artifact`` must be built for ``interpreter()``; ``root`` is a scratch folder.
    """
    defaults = defaults or Defaults.of_template()
    subjects = _subjects(artifact, root, defaults)
    records = measure(artifact, subjects, runs)
    deployed_subject = subjects[0]  # the enforcer as the template deploys it
    section = f"cold path to the first AWS call (median of {runs} paired runs)"
    deployed = deployed_name(defaults.enforcer)
    rows = [
        paired(
            section,
            f"{deployed} / Cloud Custodian",
            ratios(records, deployed, CUSTODIAN),
            target=TARGET_CUSTODIAN,
        ),
        paired(
            section,
            f"{deployed} / boto3 yardstick",
            ratios(records, deployed, YARDSTICK),
            target=TARGET_YARDSTICK,
        ),
        paired(
            section,
            f"peak RSS: {deployed} / Cloud Custodian",
            ratios(records, deployed, CUSTODIAN, "peak_rss_mib"),
            target=TARGET_RSS_CUSTODIAN,
        ),
    ]
    for subject in ("enforcer, tracing off", "enforcer, tracing on"):
        if subject in records:
            rows += [
                paired(
                    section, f"{subject} / Cloud Custodian", ratios(records, subject, CUSTODIAN)
                ),
                paired(
                    section, f"{subject} / boto3 yardstick", ratios(records, subject, YARDSTICK)
                ),
            ]
    for subject, tracing in ((SWEEPER, defaults.sweeper), (WORKER, defaults.worker)):
        first = records[subject][-1]["operation"]
        rows.append(
            paired(
                section,
                f"{subject} (template default: {tracing.label()}) / boto3 yardstick",
                ratios(records, subject, YARDSTICK),
                note=f"to its first call, {first}",
            )
        )
    rows += [
        paired(
            section,
            f"{FLOOR} / Cloud Custodian",
            ratios(records, FLOOR, CUSTODIAN),
            note="the least this stack can start in; the enforcer's own code comes on top",
        ),
        paired(section, f"{FLOOR} / boto3 yardstick", ratios(records, FLOOR, YARDSTICK)),
        paired(section, f"{deployed} / {FLOOR}", ratios(records, deployed, FLOOR)),
    ]
    rows.append(
        paired(
            section,
            f"{NO_BYTECODE} / enforcer",
            ratios(records, NO_BYTECODE, deployed),
            note="what `make build`'s compileall saves: SAM ships no bytecode",
        )
    )
    counted = replace(deployed_subject, probe="enforcer_counting_models").run(artifact.python)
    rows.append(
        Row(
            section,
            f"{deployed}: pydantic model classes built before the first AWS call",
            counted["model_classes_ms"],
            "ms",
            note=f"{counted['model_classes']} classes; one run of its own, not paired",
        )
    )
    for subject, runs_of in records.items():
        rows.append(
            Row(
                section,
                f"peak RSS: {subject}",
                statistics.median(r["peak_rss_mib"] for r in runs_of),
                "MiB",
                note=f"{statistics.median(r['modules'] for r in runs_of):.0f} modules loaded",
            )
        )
    return rows
