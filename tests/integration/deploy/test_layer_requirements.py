"""The layer's requirements are exactly the runtime part of uv.lock, so Lambda gets what tests ran."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[3]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "layer_requirements", REPO / "tools" / "layer_requirements.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_layer_requirements_are_generated_from_the_lock() -> None:
    # Given uv.lock, When the layer's requirements are exported from it again
    wanted = _tool().render()

    # Then shared/requirements.txt is that export, byte for byte (`make lock` rewrites it)
    assert (REPO / "shared" / "requirements.txt").read_text() == wanted


def test_layer_pins_every_runtime_dependency_and_no_dev_tool() -> None:
    # Given the layer's requirements and the project's declared dependencies
    pins = {
        line.split("==")[0].lower(): line.split("==")[1].split(";")[0].strip()
        for line in (REPO / "shared" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith((" ", "#"))
    }
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = {
        dependency.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        for dependency in project["project"]["dependencies"]
    }

    # Then each runtime dependency is pinned exactly (the Tracer's aws-xray-sdk included)
    assert declared <= pins.keys()
    assert "aws-xray-sdk" in pins
    # And nothing only the tests need reaches Lambda
    assert not {"moto", "pytest", "hypothesis", "mypy", "ruff", "cfn-lint"} & pins.keys()
