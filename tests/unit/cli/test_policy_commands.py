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
        f"{DEFAULT_POLICY}: valid (version 1, 7 rules, mode report, {identity.content_hash})\n"
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


# ---- the document's size: SSM holds 4,096 bytes (Standard) or 8,192 (Advanced) -------------

STRICT = Path(__file__).resolve().parents[3] / "policies/strict.yaml"


def _padded(tmp_path: Path, size: int, *, line_end: bytes = b"\n") -> Path:
    """The bundled default, padded with comment lines to exactly ``size`` bytes."""
    text = DEFAULT_POLICY.read_bytes().replace(b"\n", line_end)
    padding = size - len(text)
    assert padding > len(line_end) + 1
    path = tmp_path / "padded.yaml"
    path.write_bytes(text + b"#" * (padding - len(line_end)) + line_end)
    assert path.stat().st_size == size
    return path


def test_a_policy_that_needs_the_advanced_tier_is_valid_with_a_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given policies/strict.yaml, larger than an SSM Standard parameter holds
    size = STRICT.stat().st_size
    assert 4096 < size <= 8192

    # When it is validated
    code = main(["policy", "validate", str(STRICT)])

    # Then it is valid (exit 0), and a note says how large it is and where it fits
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith(f"{STRICT}: valid (")
    assert out[1] == (
        f"{STRICT}: note: {size:,} bytes, more than an SSM Standard parameter holds (4,096): "
        "store it in an Advanced parameter (up to 8,192 bytes, charged by AWS). The stack's "
        "own parameter is Advanced; one you name in PolicyParameterName must be too"
    )


@pytest.mark.parametrize(("size", "note"), [(4096, False), (4097, True), (8192, True)])
def test_the_note_appears_exactly_above_the_standard_tier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], size: int, note: bool
) -> None:
    # Given a valid document of this many bytes / When it is validated
    code = main(["policy", "validate", str(_padded(tmp_path, size))])

    # Then it is valid, with the note only when Standard cannot hold it
    assert code == 0
    assert ("note:" in capsys.readouterr().out) is note


def test_a_policy_too_large_for_any_ssm_parameter_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a valid document of 8,193 bytes
    path = _padded(tmp_path, 8193)

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 2: the problem says how large it is, the limit and what to do
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err == [
        f"{path}: the document is 8,193 bytes; an SSM parameter holds at most 8,192 "
        "(Advanced tier): shorten it (comments and whitespace count too)",
        f"{path}: invalid (1 problem)",
    ]


def test_the_size_is_the_documents_bytes_as_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document with Windows line ends: at most 4,096 characters once read (Python
    # reads "\r\n" as one), 4,200 bytes on disk
    text = DEFAULT_POLICY.read_bytes().replace(b"\n", b"\r\n")
    lines = b"#\r\n" * ((4200 - len(text)) // 3)
    path = tmp_path / "windows.yaml"
    path.write_bytes(text + lines + b"#" * (4200 - len(text) - len(lines)))
    assert path.stat().st_size == 4200
    assert len(path.read_text(encoding="utf-8")) <= 4096

    # When it is validated, Then its stored bytes decide (what put-parameter would send)
    assert main(["policy", "validate", str(path)]) == 0
    assert "note: 4,200 bytes" in capsys.readouterr().out


def test_an_invalid_policy_that_is_also_too_large_lists_both_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document with a mistake, padded beyond 8,192 bytes
    path = tmp_path / "org.yaml"
    path.write_text("version: 1\nmode: enforcing\nrules: {}\n" + "#" * 9000 + "\n")
    size = path.stat().st_size

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 2 with both problems and their count
    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert lines[0].startswith(f"{path}: mode: 'enforcing' is not allowed")
    assert lines[1].startswith(f"{path}: the document is {size:,} bytes")
    assert lines[2] == f"{path}: invalid (2 problems)"
