"""Translate botocore exceptions into cvpn-guard's ``AwsCallError``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.parsers import ResponseParserError

from cvpn_guard.exceptions import AwsCallError


def error_code(error: ClientError) -> str:
    """AWS's error code of ``error`` (``Unknown`` when the response carries none)."""
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def aws_call(operation: str) -> Iterator[None]:
    """Run an AWS call, turning botocore errors into AwsCallError with the code and message.

    Connection-level failures (timeouts, refused connections) become the transient code
    ``ConnectionError``, so the caller lets Lambda retry them. A request botocore refuses to
    send (``ParamValidationError``: typically a field newer than the installed botocore model)
    and every other client-side error are permanent: a retry would fail the same way.
    """
    try:
        yield
    except ClientError as error:
        message = str(error.response.get("Error", {}).get("Message", error))
        raise AwsCallError(operation, error_code(error), message) from error
    except ResponseParserError as error:
        # An HTML or truncated answer (a proxy, an AWS-side fault): worth a retry later.
        first_line = (str(error).splitlines() or ["unreadable response"])[0]
        raise AwsCallError(operation, "InvalidResponse", first_line) from error
    except ParamValidationError as error:
        raise AwsCallError(operation, "ParamValidationError", str(error)) from error
    except (BotocoreConnectionError, HTTPClientError) as error:
        raise AwsCallError(operation, "ConnectionError", str(error)) from error
    except BotoCoreError as error:
        raise AwsCallError(operation, type(error).__name__, str(error)) from error


def raise_if_entries_failed(
    operation: str,
    failed: Sequence[Mapping[str, Any]],
    *,
    code_key: str,
    message_key: str,
    what: str,
) -> None:
    """Batch APIs answer 200 with some entries refused: that is a failure of the call too."""
    if not failed:
        return
    first = failed[0]
    raise AwsCallError(
        operation,
        str(first.get(code_key, "Unknown")),
        f"{len(failed)} {what} refused: {first.get(message_key, '')}",
    )
