"""Build the deployable artifact as `sam build` lays it out, and invoke it in isolation.

`sam build` makes, from template.yaml:
- the layer (``ContentUri: shared/``, ``BuildMethod: python3.12``): everything in ``shared/``
  plus the packages of ``shared/requirements.txt``, all under ``python/`` (``/opt/python``);
- each function (``CodeUri: functions/<name>/``): its folder's files at the root (``/var/task``).

`sam build` itself targets the template's arm64 architecture, whose wheels cannot load here, so
this builds the same layout for the machine's own platform from the same locked requirements.
The deploy-parity test runs the handlers from it, and ``make bench`` times their cold start in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from cvpn_devkit.lambda_process import LambdaProcess

REPO = Path(__file__).resolve().parents[2]  # devkit/cvpn_devkit/ is two levels down
LAYER_REQUIREMENTS = REPO / "shared" / "requirements.txt"
RUNTIME_VERSION = "3.12"  # template.yaml: Runtime: python3.12
_SOURCE_ONLY = shutil.ignore_patterns("__pycache__", "*.pyc")


def runtime_interpreter() -> tuple[str, str]:
    """The template runtime's Python where this machine has one, else this interpreter.

    Returns the executable and a sentence saying which was chosen and why.
    """
    found = subprocess.run(  # noqa: S603 - our interpreter and script
        [sys.executable, str(REPO / "tools" / "find_python.py"), RUNTIME_VERSION],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if found:
        return found, f"Python {RUNTIME_VERSION} ({found}), the runtime template.yaml declares"
    current = ".".join(map(str, sys.version_info[:3]))
    return sys.executable, (
        f"Python {current} ({sys.executable}): this machine has no working python"
        f"{RUNTIME_VERSION}, the runtime template.yaml declares"
    )


def uv_executable() -> str:
    """The uv the Makefile bootstrapped (exported as $UV), else one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise RuntimeError("uv not found: run the tests through `make test` (it exports $UV)")
    return found


@dataclass(frozen=True)
class Artifact:
    """A built layer and the two functions, in SAM's layout."""

    root: Path
    python: str

    @property
    def layer(self) -> Path:
        return self.root / "layer" / "python"

    def function(self, name: str) -> Path:
        return self.root / "functions" / name


def build_artifact(root: Path, python: str, requirements: Path = LAYER_REQUIREMENTS) -> Artifact:
    """Install ``requirements`` and copy ``shared/`` into the layer; copy each function."""
    artifact = Artifact(root, python)
    artifact.layer.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - the bootstrapped uv, the locked requirements
        [
            uv_executable(),
            "pip",
            "install",
            "--quiet",
            "--no-config",
            "--python",
            python,
            "--target",
            str(artifact.layer),
            "--requirement",
            str(requirements),
        ],
        check=True,
    )
    shutil.copytree(REPO / "shared", artifact.layer, dirs_exist_ok=True, ignore=_SOURCE_ONLY)
    for function in sorted((REPO / "functions").iterdir()):
        shutil.copytree(function, artifact.function(function.name), ignore=_SOURCE_ONLY)
    compile_bytecode(python, artifact.root)
    return artifact


def compile_bytecode(python: str, *folders: Path) -> None:
    """Write every module's bytecode beside it, as `make build` does after `sam build`.

    Lambda mounts the layer and the function read-only, so Python cannot cache what it compiles:
    without shipped bytecode, every cold start compiles botocore, pydantic, Powertools and
    cvpn_guard again (more than twice the cold path). ``checked-hash`` pycs stay valid whatever
    the files' timestamps become in the zip, and are ignored if a source no longer matches.
    """
    subprocess.run(  # noqa: S603 - the runtime's interpreter, the standard library's compileall
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "checked-hash"]
        + [str(folder) for folder in folders],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def isolated_process(artifact: Artifact) -> LambdaProcess:
    """Start handlers with ``-I -S``: the function, the layer, the standard library, nothing else."""
    return LambdaProcess(python=artifact.python, layer=artifact.layer, site_packages=False)
