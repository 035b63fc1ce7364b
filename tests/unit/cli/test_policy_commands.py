"""``cvpn-guard policy validate`` and ``policy show-default``."""

from __future__ import annotations

import io
import json
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


def test_a_policy_too_large_for_any_ssm_parameter_is_valid_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a valid document of 8,193 bytes: no SSM parameter holds it, a file still works
    path = _padded(tmp_path, 8193)

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 1: valid with a warning saying how large it is, the limit and what to do
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.splitlines() == [
        f"{path}: warning: the document is 8,193 bytes; an SSM parameter holds at most 8,192 "
        "(Advanced tier), so the stack's policy parameter cannot hold it: shorten it (comments "
        "and whitespace count too), or use it only as a file (cvpn-guard scan --policy, the "
        "functions' POLICY_FILE)",
    ]
    identity = load_policy_file(path).identity
    assert captured.out.splitlines()[0] == (
        f"{path}: valid with 1 warning (version 1, 7 rules, mode report, {identity.content_hash})"
    )


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


def test_an_invalid_policy_that_is_also_too_large_lists_its_error_and_the_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document with a mistake, padded beyond 8,192 bytes
    path = tmp_path / "org.yaml"
    path.write_text("version: 1\nmode: enforcing\nrules: {}\n" + "#" * 9000 + "\n")
    size = path.stat().st_size

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 2 with the error, the size warning and both counts
    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert lines[0].startswith(f"{path}: mode: 'enforcing' is not allowed")
    assert lines[1].startswith(f"{path}: warning: the document is {size:,} bytes")
    assert lines[2] == f"{path}: invalid (1 problem, 1 warning)"


# ---- warnings: valid documents that will not do what they read as doing (exit 1) ------------

ENDPOINT = "cvpn-endpoint-0123456789abcdef0"


def _write(tmp_path: Path, text: str, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_exemption_past_its_last_day_is_a_warning_naming_it_and_its_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a policy whose only exemption expired in 2020
    path = _write(
        tmp_path,
        "version: 1\nrules:\n  split-tunnel: {required: true}\nexemptions:\n"
        f"  - endpoint_id: {ENDPOINT}\n    reason: SEC-1\n    expires: 2020-01-31\n",
    )

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 1: valid, with a warning naming the exemption, its date and that it is void
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.startswith(f"{path}: valid with 1 warning (version 1, 1 rule, ")
    [warning] = captured.err.splitlines()
    assert warning.startswith(
        f"{path}: warning: exemptions[0].expires: the exemption of endpoint {ENDPOINT} from "
        "all rules expired on 2020-01-31"
    )
    assert "no longer applies" in warning


def test_a_tag_exemption_the_policy_switches_off_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a tag exemption in a policy with allow_tag_exemptions: false
    path = _write(
        tmp_path,
        "version: 1\nrules:\n  split-tunnel: {required: true}\nexemptions:\n"
        "  - tag: {key: legacy}\nallow_tag_exemptions: false\n",
    )

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 1, and the warning says it is never honoured and what would honour it
    [warning] = capsys.readouterr().err.splitlines()
    assert code == 1
    assert warning.startswith(
        f"{path}: warning: exemptions[0].tag: the exemption of tag legacy from all rules is "
        "never honoured: allow_tag_exemptions is false; set allow_tag_exemptions: true"
    )


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ("{}", "rules: no rule is configured, so nothing would be checked"),
        (
            "\n  certificate-revocation: {required: false}\n  client-route-enforcement: {required: false}",
            "rules: every rule is switched off by its options (client-route-enforcement, "
            "certificate-revocation), so nothing would be checked",
        ),
    ],
    ids=["no rules", "every rule switched off"],
)
def test_a_rule_set_that_checks_nothing_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str, expected: str
) -> None:
    # Given a policy that configures no active rule
    path = _write(tmp_path, f"version: 1\nrules: {rules}\n")

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then exit 1: valid with 0 rules, and a warning that nothing would be checked
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.startswith(f"{path}: valid with 1 warning (version 1, 0 rules, ")
    assert captured.err.startswith(f"{path}: warning: {expected}")


# ---- several files, standard input -----------------------------------------------------------


def test_several_files_are_checked_in_order_and_the_worst_status_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a clean policy, one with a warning and one with an error
    warned = _write(tmp_path, "version: 1\nrules: {}\n", "warned.yaml")
    broken = _write(tmp_path, "version: 2\nrules: {}\n", "broken.yaml")

    # When all three are validated, clean first
    code = main(["policy", "validate", str(DEFAULT_POLICY), str(warned), str(broken)])

    # Then each has its verdict, in argument order, and the exit status is the worst (2)
    captured = capsys.readouterr()
    assert code == 2
    verdicts = captured.out.splitlines()
    assert verdicts[0].startswith(f"{DEFAULT_POLICY}: valid (")
    assert verdicts[1].startswith(f"{warned}: valid with 1 warning (")
    assert captured.err.splitlines()[-1] == f"{broken}: invalid (1 problem)"


def test_warnings_without_errors_exit_1_whatever_the_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a policy with a warning, then a clean one / When both are validated
    warned = _write(tmp_path, "version: 1\nrules: {}\n")
    # Then the warning decides (a clean file after it does not reset the status)
    assert main(["policy", "validate", str(warned), str(DEFAULT_POLICY)]) == 1


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_a_dash_reads_the_document_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the default policy on standard input
    _stdin(monkeypatch, DEFAULT_POLICY.read_bytes())

    # When "-" is validated
    code = main(["policy", "validate", "-"])

    # Then it is named <stdin>, with the hash of the same document read from its file
    identity = load_policy_file(DEFAULT_POLICY).identity
    assert code == 0
    assert capsys.readouterr().out == (
        f"<stdin>: valid (version 1, 7 rules, mode report, {identity.content_hash})\n"
    )


def test_standard_input_is_measured_in_its_bytes_and_may_be_named_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a valid 8,193-byte document on standard input
    _stdin(monkeypatch, _padded(tmp_path, 8193).read_bytes())

    # When "-" is named twice
    code = main(["policy", "validate", "-", "-"])

    # Then both verdicts read the same bytes: valid, with the size warning
    captured = capsys.readouterr()
    assert code == 1
    assert [line.split(" (")[0] for line in captured.out.splitlines()] == [
        "<stdin>: valid with 1 warning",
        "<stdin>: valid with 1 warning",
    ]
    assert captured.err.count("<stdin>: warning: the document is 8,193 bytes") == 2


# ---- --format json -----------------------------------------------------------------------------


def test_json_is_one_array_with_an_object_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a clean policy, one with a warning and a missing file
    warned = _write(tmp_path, "version: 1\nrules: {}\n")
    missing = tmp_path / "nope.yaml"

    # When they are validated as JSON
    code = main(
        ["policy", "validate", "--format", "json", str(DEFAULT_POLICY), str(warned), str(missing)]
    )

    # Then stdout is one JSON array, an object per file in argument order, nothing on stderr
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err == ""
    clean, warning, unreadable = json.loads(captured.out)
    assert clean == {
        "file": str(DEFAULT_POLICY),
        "valid": True,
        "errors": [],
        "warnings": [],
        "content_hash": load_policy_file(DEFAULT_POLICY).identity.content_hash,
    }
    assert warning["valid"] is True
    assert warning["content_hash"] == load_policy_file(warned).identity.content_hash
    assert [entry["path"] for entry in warning["warnings"]] == ["rules"]
    assert warning["warnings"][0]["message"].startswith("no rule is configured")
    assert unreadable == {
        "file": str(missing),
        "valid": False,
        "errors": [
            {"path": "", "message": "cannot read the policy file: No such file or directory"}
        ],
        "warnings": [],
        "content_hash": None,
    }


def test_json_of_one_invalid_file_lists_each_error_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a document with two mistakes
    path = _write(
        tmp_path, "version: 1\nmode: enforcing\nrules:\n  session-timeout: {max_hours: 4}\n"
    )

    # When it alone is validated as JSON
    code = main(["policy", "validate", "--format", "json", str(path)])

    # Then still an array (one element): invalid, no hash, the errors by path
    [verdict] = json.loads(capsys.readouterr().out)
    assert code == 2
    assert verdict["valid"] is False
    assert verdict["content_hash"] is None
    assert [error["path"] for error in verdict["errors"]] == [
        "mode",
        "rules.session-timeout.max_hours",
    ]


# ---- every problem in one pass; YAML 1.1 booleans -------------------------------------------


def test_a_missing_reason_is_reported_with_the_exemptions_other_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an endpoint exemption with a bad date and no reason, and a bad mode
    path = _write(
        tmp_path,
        "version: 1\nmode: enforcing\nrules: {}\nexemptions:\n"
        f"  - endpoint_id: {ENDPOINT}\n    expires: 2027-13-01\n",
    )

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then all three problems come at once
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert [line.split(": ")[1] for line in err[:-1]] == [
        "mode",
        "exemptions[0].expires",
        "exemptions[0].reason",
    ]
    assert err[-1] == f"{path}: invalid (3 problems)"


def test_mode_off_says_that_yaml_read_the_word_as_false(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given mode: off, which YAML 1.1 reads as the boolean false
    path = _write(tmp_path, "version: 1\nmode: off\nrules: {}\n")

    # When it is validated
    code = main(["policy", "validate", str(path)])

    # Then the problem says what YAML did and how to write the word as text
    assert code == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{path}: mode: false is not allowed: YAML reads the unquoted word off as false; "
        "quote it (\"off\"); it must be 'enforce' or 'report'"
    )


# ---- --help ------------------------------------------------------------------------------------


def test_validate_help_documents_every_flag_the_formats_and_the_exit_statuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the parser / When validate's help is printed
    assert main(["policy", "validate", "--help"]) == 0
    shown = capsys.readouterr().out

    # Then it names each flag, stdin, the JSON keys and the three exit statuses
    for text in ("--format {text,json}", "--debug", "<stdin>", '"content_hash"', '"path"'):
        assert text in shown
    for status in ("0  every document is valid", "1  valid, with warnings", "2  a document"):
        assert status in shown


# ---- policies/README.md ------------------------------------------------------------------------

EXAMPLES_README = Path(__file__).resolve().parents[3] / "policies/README.md"


def test_the_examples_readme_validates_with_the_cli_and_shows_what_it_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the examples' README: it runs the CLI, not a python one-liner
    text = EXAMPLES_README.read_text(encoding="utf-8")
    assert "python -c" not in text
    assert ".venv/bin/cvpn-guard policy validate policies/strict.yaml" in text

    # When the document its sample describes (mode: off, max_hours: 5) is validated
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    _write(
        tmp_path / "policies",
        "version: 1\nmode: off\nrules:\n  session-timeout: {max_hours: 5}\n",
        "mine.yaml",
    )
    assert main(["policy", "validate", "policies/mine.yaml"]) == 2

    # Then the README shows exactly what it prints
    assert capsys.readouterr().err in text


def test_policy_validate_takes_owner_tags_and_names_a_reserved_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a policy naming Terraform's ownership tags, and one naming an aws: tag
    good = tmp_path / "owned.yaml"
    good.write_text("version: 1\nrules:\n  login-banner:\niac_owner_tags: [ManagedBy, tf-ws]\n")
    bad = tmp_path / "reserved.yaml"
    bad.write_text("version: 1\nrules:\n  login-banner:\niac_owner_tags: [aws:cloudformation:x]\n")
    # When each is validated / Then the first is valid, the second refused at its key
    assert main(["policy", "validate", str(good)]) == 0
    assert main(["policy", "validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: iac_owner_tags" in err
    assert "aws: tags are AWS's own" in err
