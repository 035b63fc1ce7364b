"""``cvpn-guard policy validate`` and ``policy show-default``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvpn_guard.cli import main
from cvpn_guard.policy import load_policy_file

DEFAULT_POLICY = Path(__file__).resolve().parents[3] / "shared/cvpn_guard/policy/default.yaml"


def test_show_default_prints_the_bundled_policy_byte_for_byte(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policy", "show-default"]) == 0
    assert capsys.readouterr().out == DEFAULT_POLICY.read_text(encoding="utf-8")


def test_the_default_policy_validates_with_its_identity(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the bundled default / When it is validated
    code = main(["policy", "validate", str(DEFAULT_POLICY)])

    # Then one line with its version, rule count, mode and content hash
    identity = load_policy_file(DEFAULT_POLICY).identity
    assert code == 0
    assert capsys.readouterr().out == (
        f"{DEFAULT_POLICY}: valid (version 1, 7 rules, mode enforce, {identity.content_hash})\n"
    )


def test_an_invalid_policy_prints_every_problem_with_its_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document with two mistakes
    policy = tmp_path / "org.yaml"
    policy.write_text("version: 1\nmode: enforcing\nrules:\n  session-timeout:\n    max_hours: 4\n")

    # When it is validated
    code = main(["policy", "validate", str(policy)])

    # Then exit 2, one line per problem prefixed by the file, then the count
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert len(err) == 3
    assert err[0].startswith(f"{policy}: mode: 'enforcing' is not allowed")
    assert err[1].startswith(f"{policy}: rules.session-timeout.max_hours: 4 is too small")
    assert err[2] == f"{policy}: invalid (2 problems)"


def test_a_missing_file_is_one_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["policy", "validate", str(missing)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{missing}: cannot read the policy file: No such file or directory",
        f"{missing}: invalid (1 problem)",
    ]


def test_show_default_lists_the_newer_rules_with_their_disruptive_fixes_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the bundled default / When it is shown
    assert main(["policy", "show-default"]) == 0
    shown = capsys.readouterr().out
    # Then the routes rule is listed, and neither it nor authorization would change anything
    assert "\n  routes:\n" in shown
    assert "remove_forbidden: false" in shown
    assert "revoke_access_all: false" in shown
