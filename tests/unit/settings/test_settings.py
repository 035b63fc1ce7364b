"""Deployment settings from the environment."""

from __future__ import annotations

import pytest

from cvpn_guard.exceptions import ConfigurationError
from cvpn_guard.policy import Mode
from cvpn_guard.settings import Settings


def test_settings_read_every_variable() -> None:
    settings = Settings.from_environment(
        {
            "POLICY_PARAMETER": "/cvpn-guard/policy",
            "ENFORCEMENT_MODE": "report",
            "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:t",
            "LOOP_GUARD_ROLE_ARNS": "arn:aws:iam::1:role/a, arn:aws:iam::1:role/b",
            "SWEEP_REGIONS": "eu-west-1,us-east-1",
            "AWS_REGION": "eu-west-1",
            "POLICY_CACHE_SECONDS": "60",
        }
    )
    assert settings.enforcement_mode is Mode.REPORT
    assert settings.loop_guard_role_arns == ("arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b")
    assert settings.regions_to_sweep == ("eu-west-1", "us-east-1")
    assert settings.policy_cache_seconds == 60


def test_sweep_defaults_to_the_functions_own_region() -> None:
    assert Settings.from_environment({"AWS_REGION": "ap-south-1"}).regions_to_sweep == (
        "ap-south-1",
    )


def test_empty_parameters_mean_unset() -> None:
    # CloudFormation passes "" for parameters left empty.
    settings = Settings.from_environment(
        {"ENFORCEMENT_MODE": "", "POLICY_PARAMETER": "", "SWEEP_DEADLINE_MINUTES": ""}
    )
    assert settings.enforcement_mode is None
    assert settings.policy_parameter is None
    assert settings.sweep_deadline_minutes is None  # the next sweep merges overdue runs


def test_an_org_sweep_deadline_is_minutes() -> None:
    assert Settings.from_environment({"SWEEP_DEADLINE_MINUTES": "90"}).sweep_deadline_minutes == 90


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"ENFORCEMENT_MODE": "fix-everything"}, "ENFORCEMENT_MODE"),
        ({"AWS_MAX_ATTEMPTS": "0"}, "AWS_MAX_ATTEMPTS"),
        ({"SWEEP_DEADLINE_MINUTES": "4"}, "SWEEP_DEADLINE_MINUTES"),
        ({"SWEEP_DEADLINE_MINUTES": "2h"}, "SWEEP_DEADLINE_MINUTES"),
    ],
)
def test_invalid_values_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        Settings.from_environment(environ)
