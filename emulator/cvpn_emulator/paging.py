"""Insertion-ordered storage whose pages resume in O(log n + page).

AWS pages Describe* results with an opaque ``NextToken``. The token here encodes the
insertion sequence number of the next item to return, so resuming is a bisection over
the (append-only, hence sorted) sequence list instead of a scan from the start: walking
thousands of endpoints with the botocore paginator stays linear overall. Tokens survive
deletions and compaction because sequence numbers never change.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from .exceptions import InvalidPaginationToken, InvalidParameterValue

T = TypeVar("T")

MIN_MAX_RESULTS = 5
MAX_MAX_RESULTS = 1000
_PAGE_MARKER = "cvpn:"
# Compaction is O(n); deferring it until a large share of the list is dead keeps
# deletes amortised O(1) while keeping scans from wading through tombstones.
_COMPACT_MIN_DEAD = 256


class OrderedIndex(Generic[T]):
    """A dict of items that remembers insertion order by a stable sequence number."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[int, T]] = {}
        self._seqs: list[int] = []
        self._keys: list[str | None] = []
        self._next_seq = 0
        self._dead = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str) -> T | None:
        entry = self._items.get(key)
        return entry[1] if entry else None

    def values(self) -> list[T]:
        return [item for _, item in self._items.values()]

    def add(self, key: str, item: T) -> None:
        if key in self._items:
            seq = self._items[key][0]
            self._items[key] = (seq, item)
            return
        seq = self._next_seq
        self._next_seq += 1
        self._items[key] = (seq, item)
        self._seqs.append(seq)
        self._keys.append(key)

    def remove(self, key: str) -> T | None:
        entry = self._items.pop(key, None)
        if entry is None:
            return None
        position = bisect_left(self._seqs, entry[0])
        self._keys[position] = None
        self._dead += 1
        if self._dead >= _COMPACT_MIN_DEAD and self._dead * 2 > len(self._seqs):
            self._compact()
        return entry[1]

    def seq_of(self, key: str) -> int:
        return self._items[key][0]

    def iter_from(self, start_seq: int) -> Iterator[tuple[int, T]]:
        """Yield (seq, item) for live items with seq >= start_seq, in insertion order."""
        position = bisect_left(self._seqs, start_seq)
        while position < len(self._seqs):
            key = self._keys[position]
            if key is not None and key in self._items:
                seq, item = self._items[key]
                yield seq, item
            position += 1

    def _compact(self) -> None:
        live = [(s, k) for s, k in zip(self._seqs, self._keys, strict=True) if k is not None]
        self._seqs = [s for s, _ in live]
        self._keys = [k for _, k in live]
        self._dead = 0


def encode_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_PAGE_MARKER}{seq}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidPaginationToken(token) from error
    if not raw.startswith(_PAGE_MARKER) or not raw[len(_PAGE_MARKER) :].isdigit():
        raise InvalidPaginationToken(token)
    return int(raw[len(_PAGE_MARKER) :])


def validate_max_results(max_results: int | None) -> int:
    """Return the page size; AWS's default (no MaxResults) is a guess: the maximum."""
    if max_results is None:
        return MAX_MAX_RESULTS
    if not MIN_MAX_RESULTS <= max_results <= MAX_MAX_RESULTS:
        raise InvalidParameterValue(
            f"Value ( {max_results} ) for parameter maxResults is invalid. "
            f"Expecting a value between {MIN_MAX_RESULTS} and {MAX_MAX_RESULTS}."
        )
    return max_results


def take_page(
    candidates: Iterable[tuple[int, T]],
    limit: int,
    matches: Callable[[T], bool],
) -> tuple[list[T], str | None]:
    """Collect up to ``limit`` matching items and the token of the next match, if any.

    Looking one match ahead means the last page never comes back empty with a token,
    which is what callers of a describe loop expect.
    """
    page: list[T] = []
    for seq, item in candidates:
        if not matches(item):
            continue
        if len(page) == limit:
            return page, encode_token(seq)
        page.append(item)
    return page, None
