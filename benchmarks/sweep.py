"""The sweeper at 1,000 and 10,000 endpoints over two regions, against the emulator over HTTP.

For each size a fresh emulator process holds the estate (``sweep_estate``) and the built
sweeper runs in a fresh interpreter of its own (``sweep_probe``), configured as template.yaml
deploys it: the default policy from SSM (EnforcementMode enforce), the report on SNS, leases in DynamoDB.
Figures: endpoints per second and peak RSS of the sweeper process, AWS calls per endpoint
(the emulator's counters), how much of the shorter region's sweep overlapped the other's, and
the 10,000 / 1,000 ratios that say whether the sweep scales flat.

Both processes share the machine's two cores (and the emulator is far slower than EC2), so the
rates are this machine's, not AWS's; the ratios between sizes are what carries over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from cvpn_devkit.artifact import Artifact

from benchmarks.probes import run_probe
from benchmarks.table import Row
from cvpn_emulator.control import EmulatorControl
from tests.support.estate import create_state_table
from tests.support.template import source_template

REPO = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().with_name("sweep_probe.py")
REGIONS = ("eu-west-1", "us-east-1")
SIZES = (1_000, 10_000)
TIMEOUT_SECONDS = 900  # the sweeper's Lambda timeout in template.yaml
SWEEPER = "cvpn-guard-sweeper"
SECTION = "sweep over HTTP, 2 regions in parallel (emulator and sweeper share 2 cores)"


@dataclass(frozen=True)
class SweepRun:
    endpoints: int
    seconds: float
    peak_rss_mib: float
    calls: int
    overlap: float
    summary: dict[str, Any]

    @property
    def per_second(self) -> float:
        return self.endpoints / self.seconds


def _overlap(spans: dict[str, list[float]]) -> float:
    """The share of the shorter region's sweep during which the other one ran too."""
    (a_start, a_end), (b_start, b_end) = spans.values()
    shared = max(0.0, min(a_end, b_end) - max(a_start, b_start))
    return shared / min(a_end - a_start, b_end - b_start)


def deployment(url: str) -> dict[str, str]:
    """The stack around a function, on the emulator: policy parameter, topic, state table."""
    region = REGIONS[0]
    policy = source_template()["Resources"]["PolicyParameter"]["Properties"]["Value"]
    ssm = boto3.client("ssm", region_name=region, endpoint_url=url)
    ssm.put_parameter(Name="/cvpn-guard/policy", Value=policy, Type="String")
    sns = boto3.client("sns", region_name=region, endpoint_url=url)
    return {
        "POLICY_PARAMETER": "/cvpn-guard/policy",
        "NOTIFICATION_TOPIC_ARN": sns.create_topic(Name="cvpn-guard")["TopicArn"],
        "STATE_TABLE_NAME": create_state_table(
            boto3.client("dynamodb", region_name=region, endpoint_url=url)
        ),
    }


def _environment(url: str, deployment: dict[str, str]) -> dict[str, str]:
    return {
        **deployment,
        "SWEEP_REGIONS": ",".join(REGIONS),
        # The default policy only reports (day one); the stack's EnforcementMode parameter
        # turns enforcement on, as an operator does once the reports look right.
        "ENFORCEMENT_MODE": "enforce",
        "AWS_MAX_ATTEMPTS": "5",
        "POWERTOOLS_SERVICE_NAME": SWEEPER,
        "POWERTOOLS_METRICS_NAMESPACE": "CvpnGuard",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon here
        "AWS_LAMBDA_FUNCTION_NAME": SWEEPER,
        "AWS_REGION": REGIONS[0],
        "AWS_DEFAULT_REGION": REGIONS[0],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": url,
        "PATH": "/usr/bin:/bin",
    }


@contextmanager
def estate_emulator(sizes: dict[str, int]) -> Iterator[str]:
    """An emulator process holding ``sizes`` endpoints per region (``sweep_estate``); its URL."""
    with subprocess.Popen(  # noqa: S603 - our interpreter, our module
        [sys.executable, "-m", "benchmarks.sweep_estate", json.dumps(sizes)],
        cwd=REPO,
        env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as emulator:
        assert emulator.stdin is not None
        assert emulator.stdout is not None
        try:
            yield json.loads(emulator.stdout.readline())["url"]
        finally:
            emulator.stdin.close()


def sweep_once(artifact: Artifact, endpoints: int) -> SweepRun:
    """Seed ``endpoints`` (half per region) in a fresh emulator and sweep them once."""
    sizes = {region: endpoints // len(REGIONS) for region in REGIONS}
    with estate_emulator(sizes) as url:
        environment = _environment(url, deployment(url))
        control = EmulatorControl(url)
        control.reset_call_counts()
        settings = {
            "sys_path": [str(artifact.function("sweeper")), str(artifact.layer)],
            "function_arn": f"arn:aws:lambda:{REGIONS[0]}:123456789012:function:{SWEEPER}",
        }
        record = run_probe(
            artifact,
            PROBE,
            settings,
            environment=environment,
            timeout=TIMEOUT_SECONDS,
            what=f"the sweep of {endpoints}",
        )
        calls = sum(control.call_counts().values())
    if record["errors"] or record["summary"]["endpoints"] != endpoints:
        raise RuntimeError(f"the sweep of {endpoints} did not see every endpoint: {record}")
    return SweepRun(
        endpoints=endpoints,
        seconds=record["seconds"],
        peak_rss_mib=record["peak_rss_mib"],
        calls=calls,
        overlap=_overlap(record["spans"]),
        summary=record["summary"],
    )


def run(artifact: Artifact, sizes: tuple[int, ...] = SIZES) -> list[Row]:
    """Sweep each size once and tabulate; the ratios compare the largest with the smallest."""
    runs = [sweep_once(artifact, size) for size in sizes]
    rows = []
    for sweep in runs:
        label = f"{sweep.endpoints:,} endpoints"
        rows += [
            Row(
                SECTION,
                f"{label}: endpoints per second",
                sweep.per_second,
                "/s",
                note=f"{sweep.summary['remediated']} remediated on the way",
            ),
            Row(SECTION, f"{label}: peak RSS of the sweeper", sweep.peak_rss_mib, "MiB"),
            Row(SECTION, f"{label}: AWS calls per endpoint", sweep.calls / sweep.endpoints, ""),
            Row(
                SECTION,
                f"{label}: regions overlapping",
                sweep.overlap,
                "",
                target=0.9,
                compare="at_least",
                note="share of the shorter region's sweep run beside the other",
            ),
        ]
    small, large = runs[0], runs[-1]
    sizes_label = f"{large.endpoints:,} / {small.endpoints:,}"
    rows += [
        Row(
            SECTION,
            f"peak RSS {sizes_label}",
            large.peak_rss_mib / small.peak_rss_mib,
            "x",
            target=2.0,
            compare="below",
        ),
        Row(
            SECTION,
            f"endpoints per second {sizes_label}",
            large.per_second / small.per_second,
            "x",
            note="1.00 is perfectly flat",
        ),
    ]
    return rows
