"""The CLI against the emulator server: real HTTP, real boto3, a seeded estate."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import botocore.loaders
import botocore.session
import pytest

import cvpn_emulator
from cvpn_emulator.control import EmulatorControl
from cvpn_emulator.server import running_emulator
from cvpn_guard.cli import main
from tests.integration.sweeper.large_estate import REGIONS, EstateTruth

REPO = Path(__file__).resolve().parents[3]
CONSOLE_SCRIPT = Path(sys.executable).parent / "cvpn-guard"


@pytest.fixture(autouse=True)
def _one_data_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sessions the CLI opens (one per run) share one botocore data loader: each fresh
    loader parses botocore's JSON again (EC2's model alone is 3.7 MB, about 0.1 s a run), and
    one loader caches what it loaded, as it does for all the clients of one session. Only here:
    botocore amends some of the data it loaded, which tests of the raw data must not see."""
    monkeypatch.setattr(botocore.session, "create_loader", _shared_loader)


@cache
def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    return botocore.loaders.create_loader(search_path_string)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    """The emulator over real HTTP, in this process (so estates can be seeded directly)."""
    cvpn_emulator.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request
    with running_emulator() as url:
        EmulatorControl(url).reset()  # whatever an earlier module left behind
        yield url


@dataclass
class CliRun:
    """What one ``cvpn-guard`` run printed and returned."""

    code: int
    out: str
    err: str


@dataclass
class Cli:
    """Runs ``cvpn-guard scan`` against the emulator, in-process (``cvpn_guard.cli.main``)."""

    url: str
    policy: Path
    capsys: pytest.CaptureFixture[str]

    def scan_args(self, *extra: str) -> list[str]:
        regions = [arg for region in REGIONS for arg in ("--region", region)]
        return ["scan", "--endpoint-url", self.url, *regions, "--policy", str(self.policy), *extra]

    def scan(self, *extra: str) -> CliRun:
        self.capsys.readouterr()
        code = main(self.scan_args(*extra))
        captured = self.capsys.readouterr()
        return CliRun(code, captured.out, captured.err)


@dataclass
class SeededEstate:
    url: str
    truth: EstateTruth
    policy: Path


def subprocess_env() -> dict[str, str]:
    """The environment of a real ``cvpn-guard`` process: fake credentials, no profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POLICY_"))}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    env["PYTHONIOENCODING"] = "utf-8"
    return env
