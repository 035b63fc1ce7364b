"""The deployable artifact for the deploy-parity test (built by ``cvpn_devkit.artifact``)."""

from __future__ import annotations

from cvpn_devkit.artifact import (
    LAYER_REQUIREMENTS,
    Artifact,
    build_artifact,
    isolated_process,
    runtime_interpreter,
)

__all__ = [
    "LAYER_REQUIREMENTS",
    "Artifact",
    "build_artifact",
    "isolated_process",
    "runtime_interpreter",
]
