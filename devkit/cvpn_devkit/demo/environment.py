"""The demo's Lambda environment and AWS session: fake credentials, the emulator, quiet logs.

The handlers read their configuration from environment variables, exactly as in AWS; the demo
gives each invocation its own (``base_environment``) and builds its own clients from a session
that ignores the developer's AWS configuration, so the demo's process environment is never
changed and nothing can reach real AWS.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_NOISY_LOGGERS = ("werkzeug", "moto", "botocore", "boto3", "urllib3")


def base_environment(endpoint_url: str, region: str, scratch: str) -> dict[str, str]:
    """What every Lambda invocation of the demo gets: the emulator, fake credentials, quiet
    Powertools, and only the PATH of the demo's own environment (nothing else of it)."""
    missing = os.path.join(scratch, "no-such-aws-config")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": scratch,
        "LANG": "C.UTF-8",
        # Fake credentials: the emulator accepts any, and nothing can reach real AWS.
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        # The developer's ~/.aws files must not add a profile, a region or a credential process.
        "AWS_CONFIG_FILE": missing,
        "AWS_SHARED_CREDENTIALS_FILE": missing,
        "AWS_EC2_METADATA_DISABLED": "true",
        # Powertools: no JSON log lines, no metric blobs, no X-Ray in a terminal demo.
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "CvpnGuardDemo",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Silence the emulator's request log and library chatter; errors still show."""
    saved = {name: logging.getLogger(name).level for name in _NOISY_LOGGERS}
    try:
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def emulator_session(region: str, scratch: str) -> Any:
    """A boto3 session with fake credentials that ignores AWS_PROFILE and the ~/.aws files."""
    import boto3
    import botocore.session

    missing = os.path.join(scratch, "no-such-aws-config")
    # (config key, environment variables, default, conversion): no variable is consulted.
    ignored = {
        "profile": (None, None, None, None),
        "config_file": (None, None, missing, None),
        "credentials_file": (None, None, missing, None),
    }
    core = botocore.session.Session(session_vars=ignored)
    return boto3.session.Session(
        botocore_session=core,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",  # noqa: S106 - the emulator's fake credentials
        region_name=region,
    )
