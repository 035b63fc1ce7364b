"""The demo's process environment: fake credentials, the emulator's URL, quiet libraries.

The Lambda handlers read their configuration from environment variables, exactly as in AWS,
so the demo sets them for its own process only and puts every one back afterwards.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

# Variables that would point boto3 somewhere else than the emulator (a profile, an SSO
# session, a real token) are removed for the demo's duration.
_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "POLICY_PARAMETER",
    "ENFORCEMENT_MODE",
    "AWS_MAX_ATTEMPTS",
)

_NOISY_LOGGERS = ("werkzeug", "moto", "botocore", "boto3", "urllib3")


def base_environment(endpoint_url: str, region: str, scratch: str) -> dict[str, str]:
    """What every demo step needs: the emulator, fake credentials and quiet Powertools."""
    missing = os.path.join(scratch, "no-such-aws-config")
    return {
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
def patched_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` (and clear variables that point at real AWS) until the block ends."""
    saved = dict(os.environ)
    try:
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


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
