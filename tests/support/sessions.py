"""The tests' own boto3 session, one per process.

mock_aws resets boto3's default session on every entry, and a fresh session loads botocore's
models again (EC2's alone is 3.7 MB of JSON) for every test that makes a client. Clients from
this session are still intercepted by the mock they are made in, and read the endpoint
(AWS_ENDPOINT_URL, for a test against the emulator over HTTP) when each is created.
"""

from __future__ import annotations

from functools import cache

import boto3


@cache
def shared_session() -> boto3.session.Session:
    """The process's session for the tests' clients."""
    return boto3.session.Session()
