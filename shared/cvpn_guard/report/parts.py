"""Split a report that is too large for one SNS message into numbered parts, and join them.

SNS refuses messages over 256 KB. A large estate's report is never truncated: its JSON is cut
into consecutive slices, each wrapped in a small envelope that says which report it belongs to,
its position, the number of parts and the SHA-256 of the whole. Joining the slices in order
gives back the original JSON byte for byte (``join_parts``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cvpn_guard.exceptions import CvpnGuardError

PART_FORMAT = "cvpn-guard/report-part/v1"
# SNS's limit is 262,144 bytes for the whole request body's message; stay well below it so the
# email text, subject and attributes fit next to the JSON.
DEFAULT_MAX_PART_BYTES = 200_000


class ReportPartsError(CvpnGuardError):
    """Parts that cannot be joined: missing, duplicated, or from different reports."""


def _envelope(report_sha: str, index: int, total: int, data: str) -> dict[str, Any]:
    return {
        "format": PART_FORMAT,
        "report_sha256": report_sha,
        "part": index,
        "parts": total,
        "data": data,
    }


def _encoded_size(report_sha: str, data: str) -> int:
    return len(json.dumps(_envelope(report_sha, 999_999, 999_999, data)).encode())


def _slices(document: str, report_sha: str, max_bytes: int) -> list[str]:
    slices: list[str] = []
    start = 0
    step = max_bytes // 2
    while start < len(document):
        size = min(step, len(document) - start)
        # Escaping (quotes, backslashes, non-ASCII) can grow a slice: shrink until it fits.
        while _encoded_size(report_sha, document[start : start + size]) > max_bytes:
            size = max(1, size * 3 // 4)
        slices.append(document[start : start + size])
        start += size
    return slices


def split_document(document: str, *, max_bytes: int = DEFAULT_MAX_PART_BYTES) -> list[str]:
    """Return ``[document]`` when it fits in ``max_bytes``, else JSON part envelopes."""
    if len(document.encode()) <= max_bytes:
        return [document]
    report_sha = hashlib.sha256(document.encode()).hexdigest()
    slices = _slices(document, report_sha, max_bytes)
    return [
        json.dumps(_envelope(report_sha, i, len(slices), data))
        for i, data in enumerate(slices, start=1)
    ]


def is_part(message: Mapping[str, Any]) -> bool:
    """True when a received JSON message is a report part rather than a whole report."""
    return message.get("format") == PART_FORMAT


def join_parts(parts: Iterable[Mapping[str, Any]]) -> str:
    """Reassemble the original report JSON from its parts (in any order)."""
    received = list(parts)
    if not received:
        raise ReportPartsError("no parts to join")
    shas = {part.get("report_sha256") for part in received}
    if len(shas) != 1:
        raise ReportPartsError(f"parts of {len(shas)} different reports mixed together")
    total = int(received[0]["parts"])
    by_index = {int(part["part"]): str(part["data"]) for part in received}
    missing = sorted(set(range(1, total + 1)) - by_index.keys())
    if missing or len(received) != total:
        raise ReportPartsError(
            f"expected {total} distinct parts, missing {missing or 'none'}, got {len(received)}"
        )
    document = "".join(by_index[i] for i in range(1, total + 1))
    if hashlib.sha256(document.encode()).hexdigest() != shas.pop():
        raise ReportPartsError("joined parts do not match the report's SHA-256")
    return document
