"""The CLI's session finds its region as the AWS CLI and the SDKs do: ``AWS_REGION`` first,
then ``AWS_DEFAULT_REGION``, then the profile (AWS SDKs and Tools Reference Guide, "AWS
Region"; AWS CLI User Guide, "Environment variables")."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvpn_guard.aws.session import open_session


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A config file whose default profile says us-west-2, and no region in the environment."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config"
    path.write_text("[default]\nregion = us-west-2\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    return path


@pytest.mark.usefixtures("config")
def test_aws_region_alone_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert open_session(None).region_name == "eu-central-1"


@pytest.mark.usefixtures("config")
def test_aws_region_wins_over_aws_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    assert open_session(None).region_name == "eu-central-1"


@pytest.mark.usefixtures("config")
def test_without_aws_region_the_default_region_then_the_profile_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert open_session(None).region_name == "us-west-2"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    assert open_session(None).region_name == "ap-southeast-2"
