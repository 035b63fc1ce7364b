"""A boto3 session from the user's configuration (the CLI's ``--profile``), and who it is.

The CLI reads AWS through these functions, so that only ``cvpn_guard.aws`` imports boto3. Each
failure is a :class:`~cvpn_guard.exceptions.ConfigurationError` that says what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
from boto3.session import Session
from botocore.exceptions import BotoCoreError

from cvpn_guard.aws.clients import session_client
from cvpn_guard.aws.errors import aws_call
from cvpn_guard.exceptions import AwsCallError, ConfigurationError

__all__ = ["Session", "caller_account", "open_session", "require_credentials"]


def open_session(profile: str | None) -> Session:
    """The session of ``profile`` (None: the default chain); a bad profile is explained.

    Its region follows the AWS CLI and the SDKs: ``AWS_REGION`` first, then
    ``AWS_DEFAULT_REGION``, then the profile's ``region`` (AWS CLI User Guide, "Environment
    variables"; AWS SDKs and Tools Reference Guide, "AWS Region"). botocore itself reads only
    ``AWS_DEFAULT_REGION`` and the profile, so ``AWS_REGION`` is passed in here.
    """
    try:
        return boto3.session.Session(
            profile_name=profile, region_name=os.environ.get("AWS_REGION") or None
        )
    except BotoCoreError as error:  # ProfileNotFound and friends
        raise ConfigurationError(f"{error}; check --profile and ~/.aws/config") from error


def require_credentials(session: Session, *, emulator: bool) -> None:
    """Fail early, with what to do, when the session has no credentials at all."""
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:
        raise ConfigurationError(f"cannot load AWS credentials: {error}") from error
    if credentials is None:
        hint = (
            "; the emulator accepts any: export AWS_ACCESS_KEY_ID=testing "
            "AWS_SECRET_ACCESS_KEY=testing"
            if emulator
            else "; configure a profile (aws configure / aws sso login) or pass --profile"
        )
        raise ConfigurationError("no AWS credentials found" + hint)


def caller_account(
    session: Session, region: str, endpoint_url: str | None, max_attempts: int
) -> str:
    """The account the credentials belong to (STS GetCallerIdentity)."""
    sts = session_client(session, "sts", region, max_attempts, endpoint_url)
    try:
        with aws_call("GetCallerIdentity"):
            identity: Mapping[str, Any] = sts.get_caller_identity()
    except AwsCallError as error:
        if error.code == "ConnectionError":
            target = endpoint_url or f"AWS STS in {region}"
            raise ConfigurationError(f"cannot reach {target}: {error.message}") from error
        raise ConfigurationError(
            f"cannot use these credentials: {error.code}: {error.message}; "
            "check the profile, or refresh the session (aws sso login)"
        ) from error
    return str(identity["Account"])
