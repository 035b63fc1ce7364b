"""`cvpn-guard demo` reaches the development kit through an entry point, never an import."""

from __future__ import annotations

from importlib.metadata import EntryPoint, EntryPoints

import pytest
from cvpn_devkit.demo import run_demo

from cvpn_guard.cli import main, plugins
from cvpn_guard.cli.exit_codes import ExitCode


def _installed(*found: EntryPoint) -> object:
    """An ``entry_points`` that finds only ``found``, as an install with or without the kit."""

    def entry_points(*, group: str, name: str) -> EntryPoints:
        return EntryPoints(e for e in found if e.group == group and e.name == name)

    return entry_points


def test_the_development_install_offers_the_kits_demo() -> None:
    # Given this clone's environment (pyproject.toml's cvpn_guard.cli_plugins entry points)
    # When the CLI looks the demo up
    command = plugins.load_command("demo")
    # Then it is the kit's demo itself
    assert command is run_demo


def test_without_the_kit_the_demo_says_how_to_run_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an install that offers no demo (the product on its own)
    monkeypatch.setattr(plugins, "entry_points", _installed())
    # When the user asks for the demo
    status = main(["demo"])
    # Then one line says where the demo lives, with a usage status and no traceback
    assert status == ExitCode.USAGE
    assert capsys.readouterr().err == (
        "cvpn-guard: error: the demo is part of the development install, not of the deployed "
        "product: run it from a clone with `make demo`\n"
    )


def test_a_declared_demo_whose_kit_is_missing_says_the_same(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given metadata that names the demo while its module is absent (shared/ copied alone)
    missing = EntryPoint("demo", "cvpn_devkit_absent.demo:run_demo", plugins.ENTRY_POINT_GROUP)
    monkeypatch.setattr(plugins, "entry_points", _installed(missing))
    # When the user asks for the demo
    status = main(["demo"])
    # Then the same advice, not a ModuleNotFoundError
    assert status == ExitCode.USAGE
    assert "run it from a clone with `make demo`" in capsys.readouterr().err
