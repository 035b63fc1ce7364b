"""The enforcer's first invocation, cold, beside a bare boto3 yardstick and Cloud Custodian.

Each subject runs in a fresh ``python -I -S`` (the same interpreter for all three) whose
``sys.path`` is a Lambda layout: the enforcer is the built artifact (function folder + layer,
``cvpn_devkit.artifact``), the yardstick sees the same layer, Custodian its own locked
environment. ``cold_probe.py`` times each from its first import to its first network access
(the AWS call that follows handler import, runtime, EC2 and SNS clients and policy load).

Runs are interleaved, round by round in a rotating order, so that the load of this shared
machine falls on every subject alike; each ratio is the median of per-round ratios (paired).
Nothing here is a pass/fail on absolute time.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvpn_devkit.artifact import Artifact

from benchmarks import custodian_peer
from benchmarks.fixtures import ACCOUNT, FULL_POLICY_YAML, REGION, TOPIC_ARN
from benchmarks.table import Row

REPO = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().with_name("cold_probe.py")
EVENT = REPO / "events" / "modify_endpoint_by_user.json"
ENDPOINT_ID = "cvpn-endpoint-0a1b2c3d4e5f60718"  # the one the event names
FIRST_CALL = "DescribeClientVpnEndpoints"
ENFORCER = "cvpn-guard-enforcer"
PEER = "custodian-client-vpn-endpoint-policy"
NO_BYTECODE = "enforcer, no bytecode shipped"

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
# What Lambda adds when the function's tracing is Active (template.yaml: Tracing: Active).
TRACING_ON = {
    "_X_AMZN_TRACE_ID": "Root=1-674a1b2c-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}
TRACING_OFF = {"POWERTOOLS_TRACE_DISABLED": "true"}


@dataclass(frozen=True)
class Subject:
    """One cold path: which probe, with which ``sys.path``, environment and folder."""

    name: str
    probe: str
    sys_path: tuple[str, ...]
    environment: Mapping[str, str]
    workdir: Path
    flags: tuple[str, ...] = ()

    def run(self, python: str) -> dict[str, Any]:
        settings = {
            "sys_path": list(self.sys_path),
            "event": str(EVENT),
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
        if record.get("operation") != FIRST_CALL:
            raise RuntimeError(
                f"the {self.name} probe did not stop at {FIRST_CALL}: {record or done.stdout!r}"
                f"\n{done.stderr[-3000:]}"
            )
        return record


def _subjects(artifact: Artifact, root: Path) -> list[Subject]:
    policy_file = root / "policy.yaml"
    policy_file.write_text(FULL_POLICY_YAML)
    enforcer_dir, yardstick_dir, peer_dir = (root / ENFORCER, root / "boto3", root / PEER)
    for folder in (enforcer_dir, yardstick_dir):
        folder.mkdir()
    custodian_peer.write_config(peer_dir)
    enforcer_path = (str(artifact.function("enforcer")), str(artifact.layer))
    enforcer_env = {**LAMBDA_ENVIRONMENT, **ENFORCER_ENVIRONMENT, "POLICY_FILE": str(policy_file)}
    return [
        Subject("enforcer", "enforcer", enforcer_path, enforcer_env | TRACING_OFF, enforcer_dir),
        Subject(
            "enforcer, tracing on",
            "enforcer",
            enforcer_path,
            enforcer_env | TRACING_ON,
            enforcer_dir,
        ),
        Subject(
            NO_BYTECODE,
            "enforcer",
            enforcer_path,
            enforcer_env | TRACING_OFF,
            enforcer_dir,
            # Bytecode looked up (and never written) under an empty folder: every module is
            # compiled, as on Lambda when the artifact ships none (what `sam build` alone makes).
            flags=("-B", "-X", f"pycache_prefix={root / 'no-bytecode'}"),
        ),
        Subject(
            "boto3 yardstick",
            "boto3",
            (str(artifact.layer),),
            {**LAMBDA_ENVIRONMENT, "AWS_LAMBDA_FUNCTION_NAME": "boto3"},
            yardstick_dir,
        ),
        Subject(
            "Cloud Custodian 0.9.53",
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


def measure(artifact: Artifact, root: Path, runs: int) -> dict[str, list[dict[str, Any]]]:
    """Every subject ``runs`` times, interleaved; one warm-up run each writes the .pyc files."""
    subjects = _subjects(artifact, root)
    for subject in subjects:
        subject.run(artifact.python)
    records: dict[str, list[dict[str, Any]]] = {subject.name: [] for subject in subjects}
    for round_ in range(runs):
        shift = round_ % len(subjects)
        for subject in subjects[shift:] + subjects[:shift]:
            records[subject.name].append(subject.run(artifact.python))
    return records


def _paired_ratio(records: dict[str, list[dict[str, Any]]], subject: str, base: str) -> float:
    return float(
        statistics.median(
            mine["ms"] / theirs["ms"]
            for mine, theirs in zip(records[subject], records[base], strict=True)
        )
    )


def run(artifact: Artifact, root: Path, runs: int) -> list[Row]:
    """Measure and tabulate: paired time ratios, peak RSS and loaded modules of each subject.

    ``artifact`` must be built for ``interpreter()``; ``root`` is a scratch folder.
    """
    records = measure(artifact, root, runs)
    section = f"cold path to the first AWS call (median of {runs} paired runs)"
    rows = []
    for subject in ("enforcer", "enforcer, tracing on"):
        rows += [
            Row(
                section,
                f"{subject} / Cloud Custodian",
                _paired_ratio(records, subject, "Cloud Custodian 0.9.53"),
                "x",
                target=0.75,
            ),
            Row(
                section,
                f"{subject} / boto3 yardstick",
                _paired_ratio(records, subject, "boto3 yardstick"),
                "x",
                target=1.1,
            ),
        ]
    rows.append(
        Row(
            section,
            f"{NO_BYTECODE} / enforcer",
            _paired_ratio(records, NO_BYTECODE, "enforcer"),
            "x",
            note="what `make build`'s compileall saves: SAM ships no bytecode",
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
