"""Template text as data with lines: YAML with short-form tags, JSON as CDK writes it, and
files that are neither."""

from __future__ import annotations

import json

import pytest

from cvpn_guard.iac.cfn_loading import load_template
from cvpn_guard.iac.cloudformation import is_template, read_template
from cvpn_guard.iac.declared import SourceError

SHORT_FORMS = """\
AWSTemplateFormatVersion: 2010-09-09
Resources:
  Thing:
    Type: AWS::S3::Bucket
    Properties:
      A: !Ref Param
      B: !Sub "${AWS::Region}-x"
      C: !GetAtt Vpc.CidrBlock
      D: !If [Cond, 1, 2]
      E: !Join ["-", [a, b]]
      F: !Select [0, !GetAZs ""]
      G: !FindInMap [Map, Top, Second]
      H: !ImportValue Shared
      I: !Equals [a, b]
      J: !Condition Other
      K: !Base64 text
"""


def test_short_form_tags_load_as_their_long_form() -> None:
    # When a YAML template with every kind of short form is loaded
    properties = load_template("t.yaml", SHORT_FORMS).data["Resources"]["Thing"]["Properties"]

    # Then each tag is the function CloudFormation's long form names
    assert properties == {
        "A": {"Ref": "Param"},
        "B": {"Fn::Sub": "${AWS::Region}-x"},
        "C": {"Fn::GetAtt": ["Vpc", "CidrBlock"]},
        "D": {"Fn::If": ["Cond", 1, 2]},
        "E": {"Fn::Join": ["-", ["a", "b"]]},
        "F": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "G": {"Fn::FindInMap": ["Map", "Top", "Second"]},
        "H": {"Fn::ImportValue": "Shared"},
        "I": {"Fn::Equals": ["a", "b"]},
        "J": {"Condition": "Other"},
        "K": {"Fn::Base64": "text"},
    }


def test_dates_stay_strings_and_lines_are_those_of_the_keys() -> None:
    # When the same template is loaded
    loaded = load_template("t.yaml", SHORT_FORMS)

    # Then the format version is text, as CloudFormation reads it, and keys carry their lines
    assert loaded.data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert loaded.line(("Resources", "Thing")) == 3
    assert loaded.line(("Resources", "Thing", "Properties", "D")) == 9
    assert loaded.line(("Resources", "Thing", "Properties", "E", 0)) == 10
    assert loaded.line(("Resources", "Nothing")) is None


def test_tab_indented_json_keeps_exact_values_and_lines() -> None:
    # Given JSON indented with tabs, with values YAML 1.1 would read otherwise (1e3 is a string
    # there, and "\/" an unknown escape to older YAML parsers)
    text = (
        '{\n\t"Resources": {\n\t\t"Vpn": {\n\t\t\t"Type": "AWS::EC2::ClientVpnEndpoint",\n'
        '\t\t\t"Properties": {\n\t\t\t\t"VpnPort": 1194,\n\t\t\t\t"Ratio": 1e3,\n'
        '\t\t\t\t"Text": "a\\/b"\n\t\t\t}\n\t\t}\n\t}\n}\n'
    )

    # When it is loaded
    loaded = load_template("cdk.out/Stack.template.json", text)

    # Then the values are exactly json's, and the lines those YAML's composition found
    assert loaded.data == json.loads(text)
    assert loaded.data["Resources"]["Vpn"]["Properties"]["Ratio"] == 1000.0
    assert loaded.line(("Resources", "Vpn")) == 3
    assert loaded.line(("Resources", "Vpn", "Properties", "Ratio")) == 7


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        pytest.param("Resources:\n  A: [unclosed\n", 3, "not valid YAML", id="yaml"),
        pytest.param('{\n "Resources": {\n  "A": 1,\n }\n}\n', 4, "not valid JSON", id="json"),
        pytest.param("Resources:\n\tA: 1\n", 2, "not valid YAML", id="tab-indented-yaml"),
    ],
)
def test_a_file_that_does_not_parse_names_the_file_the_parser_and_the_line(
    text: str, line: int, words: str
) -> None:
    # When a broken file is read
    with pytest.raises(SourceError) as raised:
        read_template("broken.template", text)

    # Then the error says which file, what the parser said, and where
    assert raised.value.file == "broken.template"
    assert raised.value.line == line
    assert words in raised.value.message


@pytest.mark.parametrize(
    ("data", "template"),
    [
        pytest.param({"Resources": {"A": {"Type": "AWS::EC2::VPC"}}}, True, id="template"),
        pytest.param({"Resources": {}}, False, id="no-resources"),
        pytest.param({"Resources": {"A": {"Properties": {}}}}, False, id="untyped-resource"),
        pytest.param({"resources": {"A": {"Type": "x"}}}, False, id="other-yaml"),
        pytest.param(["Resources"], False, id="a-list"),
        pytest.param(None, False, id="empty"),
    ],
)
def test_is_template_recognizes_a_mapping_of_typed_resources(data: object, template: bool) -> None:
    # Then only a mapping whose Resources are typed resources is a template
    assert is_template(data) is template


def test_a_yaml_file_that_is_no_template_declares_nothing() -> None:
    # When a workflow file is read as a template
    endpoints = read_template(".github/workflows/ci.yaml", "on: push\njobs: {}\n")

    # Then it declares no endpoint, and is no error
    assert endpoints == []
