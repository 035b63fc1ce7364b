"""From paths to files by format: folders walked, formats told by content, errors named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cvpn_guard.iac.declared import SourceError
from cvpn_guard.iac.discovery import declared_endpoints, discover
from cvpn_guard.iac.documents import load_documents

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "iac"
ESTATE = FIXTURES / "estate"


def _estate_copy(folder: Path) -> Path:
    shutil.copytree(ESTATE, folder)
    return folder


def test_a_folder_of_saved_answers_is_an_estate(tmp_path: Path) -> None:
    # Given the fixture estate, in a folder
    folder = _estate_copy(tmp_path / "estate")

    # When it is discovered
    sources = discover([str(folder)])

    # Then its three files are the estate, named as found under the path given
    assert sources.files == [
        str(folder / n) for n in ("endpoints.json", "routes.json", "rules.json")
    ]
    assert not sources.templates
    assert not sources.plans
    assert not sources.modules


def test_files_of_no_known_format_in_a_folder_are_passed_over(tmp_path: Path) -> None:
    # (package.json is asked whether it is a plan or a template.)
    # Given an estate beside a README, a package.json and a script
    folder = _estate_copy(tmp_path / "infra")
    (folder / "README.md").write_text("# infra\n")
    (folder / "package.json").write_text('{"name": "infra", "version": "1.0.0"}\n')
    (folder / "deploy.sh").write_text("#!/bin/sh\n")

    # When the folder is discovered / Then only the estate is found, silently
    assert len(discover([str(folder)]).files) == 3


def test_skipped_folders_and_cdk_assembly_files_are_not_read(tmp_path: Path) -> None:
    # Given files that would not even parse, where check never looks
    for place in (".git/x.json", "node_modules/p/x.json", ".terraform/m/x.json"):
        (tmp_path / place).parent.mkdir(parents=True)
        (tmp_path / place).write_text("{ not json")
    (tmp_path / "cdk.out" / "assembly-Prod").mkdir(parents=True)
    for name in (
        "manifest.json",
        "tree.json",
        "Stack.assets.json",
        "assembly-Prod/Stack.assets.json",
    ):
        (tmp_path / "cdk.out" / name).write_text("{ not json")

    # When the folder is discovered / Then nothing is read (and so nothing fails)
    assert discover([str(tmp_path)]).files == []


def test_a_named_file_of_an_unknown_extension_is_an_error(tmp_path: Path) -> None:
    # Given a text file
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")

    # When it is named on the command line / Then the error names it and the formats
    with pytest.raises(SourceError) as raised:
        discover([str(notes)])
    assert raised.value.file == str(notes)
    assert "none of the formats" in raised.value.message


def test_a_named_json_file_of_no_known_format_is_an_error(tmp_path: Path) -> None:
    # Given a JSON file that is neither estate, plan nor template
    data = tmp_path / "package.json"
    data.write_text('{"name": "infra"}\n')

    # When it is named on the command line / Then it is an error
    with pytest.raises(SourceError, match="none of the formats"):
        discover([str(data)])


def test_a_path_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError, match="nowhere: no such file or folder"):
        discover([str(missing)])


def test_a_file_that_cannot_be_parsed_is_an_error_with_the_parsers_message(tmp_path: Path) -> None:
    # Given a broken JSON file in a folder
    broken = tmp_path / "endpoints.json"
    broken.write_text('{\n    "ClientVpnEndpoints": [\n        {,\n    ]\n}\n')

    # When the folder is discovered
    with pytest.raises(SourceError) as raised:
        discover([str(tmp_path)])

    # Then the error names the file, the line and what the JSON parser said
    assert raised.value.file == str(broken)
    assert raised.value.line == 3
    assert raised.value.message.startswith("not valid JSON: Expecting property name")


def test_a_broken_yaml_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources:\n  Vpn:\n    Type: [unclosed\n")
    with pytest.raises(SourceError) as raised:
        discover([str(broken)])
    assert raised.value.message.startswith("not valid YAML")
    assert raised.value.line is not None


def test_a_concatenated_paginated_file_is_one_estate_file(tmp_path: Path) -> None:
    # Given two pages of the endpoints answer in one file
    page = json.loads((ESTATE / "endpoints.json").read_text())
    first = {"ClientVpnEndpoints": page["ClientVpnEndpoints"][:1], "NextToken": "next"}
    second = {"ClientVpnEndpoints": page["ClientVpnEndpoints"][1:]}
    file = tmp_path / "endpoints.json"
    file.write_text(json.dumps(first, indent=4) + "\n" + json.dumps(second, indent=4) + "\n")

    # When discovered and read
    sources, endpoints = declared_endpoints([str(file)])

    # Then the file is read once per page, and both endpoints come out
    assert sources.files == [str(file)]
    assert len(sources.estate) == 2
    assert [e.name for e in endpoints] == [
        e["ClientVpnEndpointId"] for e in page["ClientVpnEndpoints"]
    ]


def test_tf_files_are_grouped_by_folder(tmp_path: Path) -> None:
    # Given .tf files in two folders
    for place in ("a/main.tf", "a/vpn.tf", "b/main.tf"):
        (tmp_path / place).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / place).write_text("# empty\n")

    # When discovered / Then each folder is one module of its own files
    modules = discover([str(tmp_path)]).modules
    assert {
        Path(folder).name: [Path(f).name for f, _ in files] for folder, files in modules.items()
    } == {
        "a": ["main.tf", "vpn.tf"],
        "b": ["main.tf"],
    }


def test_a_named_tf_file_brings_the_rest_of_its_module(tmp_path: Path) -> None:
    # Given a module of three .tf files, and a pre-commit hook that names the one that changed
    for name in ("main.tf", "variables.tf", "vpn.tf"):
        (tmp_path / name).write_text("# empty\n")
    named = str(tmp_path / "vpn.tf")

    # When it alone is named (twice, as a hook may) / Then the module is read whole, each once
    modules = discover([named, named]).modules
    assert {Path(folder) for folder in modules} == {tmp_path}
    assert sorted(Path(f).name for f, _ in modules[str(tmp_path)]) == [
        "main.tf",
        "variables.tf",
        "vpn.tf",
    ]


def test_the_parsed_yaml_knows_cloudformation_short_forms_and_lines() -> None:
    # Given a template with short-form intrinsic functions
    text = "Resources:\n  Vpn:\n    Type: AWS::EC2::ClientVpnEndpoint\n    Properties:\n      SessionTimeoutHours: !Ref Hours\n"

    # When it is loaded / Then the short form is the long one, and the resource knows its line
    [document] = load_documents("t.yaml", text)
    vpn = document["Resources"]["Vpn"]
    assert vpn["Properties"]["SessionTimeoutHours"] == {"Ref": "Hours"}
    assert vpn.line == 3


@pytest.mark.parametrize("folder", ["cloudformation", "sam", "cdk.out"])
def test_the_template_fixtures_are_templates(folder: str) -> None:
    # Given the CloudFormation, SAM and CDK fixtures
    # When discovered / Then every file found is a template
    sources = discover([str(FIXTURES / folder)])
    assert sources.templates
    assert not sources.plans
    assert not sources.estate


def test_the_terraform_fixtures_are_a_plan_and_a_module() -> None:
    sources = discover([str(FIXTURES / "terraform")])
    assert [Path(f).name for f, _ in sources.plans] == ["plan.json"]
    assert sources.modules
