"""The dependency order (CONTRIBUTING.md) holds, and `make lint` would catch a break of it.

Each violation is planted in a copy of the packages, and the repository's own contracts
(pyproject.toml, ``[tool.importlinter]``) are run against the copy with ``lint-imports``, as
``make lint`` runs them against the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = {"cvpn_guard": REPO / "shared", "cvpn_devkit": REPO / "devkit"}


def _contracts() -> dict[str, dict[str, object]]:
    options = tomllib.loads(CONFIG.read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in options["contracts"]}


CONTRACTS = _contracts()
LAYERS = CONTRACTS["layers"]


@dataclass(frozen=True)
class Run:
    status: int
    output: str


def lint_imports(roots: dict[str, Path], cwd: Path) -> Run:
    """``lint-imports`` with the repository's contracts, finding the packages under ``roots``."""
    environment = dict(os.environ)
    # The copy's folders come before the editable install's, so the copy is what is graphed.
    environment["PYTHONPATH"] = os.pathsep.join(str(root) for root in roots.values())
    environment["COLUMNS"] = "200"  # one line per contract, however long its name
    completed = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Run(completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture
def copy(tmp_path: Path) -> dict[str, Path]:
    """The two packages, copied where a test may plant an import in them."""
    roots = {}
    for package, root in PACKAGES.items():
        shutil.copytree(
            root / package,
            tmp_path / root.name / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        roots[package] = tmp_path / root.name
    return roots


def plant(roots: dict[str, Path], module: str, text: str) -> None:
    """Append ``text`` to ``module`` of the copy (a new module when it does not exist)."""
    package, _, rest = module.partition(".")
    path = roots[package].joinpath(package, *rest.split(".")).with_suffix(".py")
    if not path.exists() and (path.with_suffix("") / "__init__.py").exists():
        path = path.with_suffix("") / "__init__.py"
    path.write_text((path.read_text() if path.exists() else "") + "\n" + text + "\n")


def test_the_tree_keeps_every_contract() -> None:
    # Given the repository as it is
    # When make lint's import check runs
    run = lint_imports(PACKAGES, REPO)
    # Then every contract is kept
    assert run.status == 0, run.output
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in run.output


UPWARD = [
    pytest.param(
        "from cvpn_guard.report import ComplianceReport  # noqa: F401",
        id="module-level",
    ),
    pytest.param(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from cvpn_guard.report import ComplianceReport  # noqa: F401",
        id="type-only",
    ),
    pytest.param(
        "def _deferred() -> object:\n"
        "    from cvpn_guard.report import ComplianceReport\n"
        "    return ComplianceReport",
        id="inside-a-function",
    ),
]


@pytest.mark.parametrize("statement", UPWARD)
def test_a_rule_importing_the_report_breaks_the_layers(
    copy: dict[str, Path], tmp_path: Path, statement: str
) -> None:
    # Given a rule module that imports the report, three layers up, in any of the three forms
    plant(copy, "cvpn_guard.rules.base", statement)
    # When the contracts are checked
    run = lint_imports(copy, tmp_path)
    # Then the layers contract is broken, naming the import
    assert run.status != 0, run.output
    assert f"{LAYERS['name']} BROKEN" in run.output
    assert "cvpn_guard.rules.base -> cvpn_guard.report" in run.output


def test_an_upward_chain_through_a_sibling_breaks_the_layers(
    copy: dict[str, Path], tmp_path: Path
) -> None:
    # Given the ports importing a notice helper that imports the report (ports -> notice -> report)
    plant(copy, "cvpn_guard.notice", "from cvpn_guard.report import ComplianceReport  # noqa")
    # When the contracts are checked
    run = lint_imports(copy, tmp_path)
    # Then the layers contract is broken: the notice sits below the report
    assert run.status != 0, run.output
    assert f"{LAYERS['name']} BROKEN" in run.output
    assert "cvpn_guard.notice -> cvpn_guard.report" in run.output


@pytest.mark.parametrize("outsider", ["cvpn_devkit.demo", "cvpn_emulator.server", "tests.support"])
def test_the_product_importing_what_is_outside_it_breaks_its_contract(
    copy: dict[str, Path], tmp_path: Path, outsider: str
) -> None:
    # Given the CLI importing a development module, even lazily (as it once imported the demo)
    plant(copy, "cvpn_guard.cli.main", f"def _outside() -> None:\n    import {outsider}")
    # When the contracts are checked
    run = lint_imports(copy, tmp_path)
    # Then the product-stands-alone contract is broken
    assert run.status != 0, run.output
    assert f"{CONTRACTS['product-stands-alone']['name']} BROKEN" in run.output
    assert f"cvpn_guard.cli.main -> {outsider.partition('.')[0]}" in run.output


def test_the_stories_importing_each_other_break_the_kits_contract(
    copy: dict[str, Path], tmp_path: Path
) -> None:
    # Given the single-account story importing the organization story, which builds on it
    plant(copy, "cvpn_devkit.demo.story", "from cvpn_devkit.demo import org_story  # noqa")
    # When the contracts are checked
    run = lint_imports(copy, tmp_path)
    # Then the kit's acyclic contract is broken
    assert run.status != 0, run.output
    assert f"{CONTRACTS['devkit-acyclic']['name']} BROKEN" in run.output


def test_a_module_in_no_layer_breaks_the_layers(copy: dict[str, Path], tmp_path: Path) -> None:
    # Given a new module of cvpn_guard that the contract does not place
    plant(copy, "cvpn_guard.unplaced", '"""A module nobody put in a layer."""')
    # When the contracts are checked
    run = lint_imports(copy, tmp_path)
    # Then the layers contract (exhaustive) is broken, naming the module
    assert run.status != 0, run.output
    assert f"{LAYERS['name']} BROKEN" in run.output
    assert "cvpn_guard.unplaced" in run.output


def unplaced_modules(root: Path) -> list[str]:
    """Modules of the packages the contract splits by module (its ``exhaustive_ignores``, which
    lint-imports does not check) that no layer names."""
    tails = {
        tail.strip().strip("()")
        for layer in LAYERS["layers"]  # type: ignore[attr-defined]
        for tail in layer.replace("|", ":").split(":")
    }
    unplaced = []
    for package in LAYERS["exhaustive_ignores"]:  # type: ignore[attr-defined]
        for path in sorted((root / "cvpn_guard" / package).glob("*")):
            if path.name in {"__init__.py", "__pycache__"}:
                continue
            module = f"{package}.{path.name.removesuffix('.py')}"
            if module not in tails:
                unplaced.append(module)
    return unplaced


def test_every_module_of_the_split_packages_is_in_a_layer() -> None:
    # Given the packages whose modules sit in different layers (change_events, org_sweep...)
    # When their modules are matched against the layers
    # Then each is placed
    assert unplaced_modules(PACKAGES["cvpn_guard"]) == []


def test_a_new_module_of_a_split_package_is_caught(copy: dict[str, Path]) -> None:
    # Given a new module in one of those packages, in no layer
    plant(copy, "cvpn_guard.sweeper.new_tick", '"""Not yet placed."""')
    # When their modules are matched against the layers
    # Then it is named
    assert unplaced_modules(copy["cvpn_guard"]) == ["sweeper.new_tick"]
