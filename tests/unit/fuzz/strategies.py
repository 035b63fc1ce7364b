"""Hostile inputs shared by the fuzz tests: nasty strings, any JSON, paths into documents.

Imported as ``tests.unit.fuzz.strategies``. Sizes are bounded on purpose: the whole fuzz
suite runs in well under a minute on CI's two cores.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

# Strings that have broken formats before: line and quote breakers, markup, JSON fragments,
# terminal escapes, bidi controls, invisible characters, NUL, combining marks, astral emoji.
NASTY_STRINGS = (
    "",
    " ",
    "\x00",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x0b\x0c\x1c\x1d\x1e\x85",
    "\u2028\u2029",
    '"',
    "'",
    "\\",
    '\\"',
    "</script><script>alert(1)</script>",
    "<!--",
    "]]>",
    '{"a": 1}',
    '"}, {"injected": true, "x": "',
    "null",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "\u202eevil\u202c",
    "\u200f\u200e\u061c",
    "\ufeff",
    "\u200b\u2060",
    "e\u0301\u0338",
    "💥🧨👩‍👩‍👧",
    "ｃｖｐｎ",  # noqa: RUF001 - full-width look-alikes on purpose
    "%s%n{0}${x}",
    "=cmd|' /C calc'!A0",
)

# Python strings may hold them (JSON's "\ud800" escape makes one); UTF-8 cannot encode them.
LONE_SURROGATES = ("\ud800", "\udfff", "a\udc80b", "\udbff\ud800")

# Characters of every category except surrogates (which get a test of their own).
VISIBLE_AND_CONTROL = st.characters(codec=None, exclude_categories=["Cs"])


def nasty_text(
    *, surrogates: bool = False, huge: bool = True, max_size: int = 40
) -> st.SearchStrategy[str]:
    """Hostile strings: curated ones, random ones, mixtures and (``huge``) a few huge ones."""
    characters = (
        VISIBLE_AND_CONTROL | st.characters(categories=["Cs"])
        if surrogates
        else VISIBLE_AND_CONTROL
    )
    curated = st.sampled_from(NASTY_STRINGS + (LONE_SURROGATES if surrogates else ()))
    random = st.text(alphabet=characters, max_size=max_size)
    mixed = st.lists(curated | random, min_size=1, max_size=4).map("".join)
    huge_texts = st.builds(
        lambda unit, size: (unit * size)[:size],
        st.sampled_from(["a", "\x00", "é", "💥", '"\\', "\n"]),
        st.sampled_from([1_401, 10_000, 100_000]),
    )
    return (
        st.one_of(curated, random, mixed, huge_texts) if huge else st.one_of(curated, random, mixed)
    )


def json_scalars(*, surrogates: bool = False, huge: bool = True) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        nasty_text(surrogates=surrogates, huge=huge),
    )


def json_values(
    *, surrogates: bool = False, huge: bool = True, max_leaves: int = 25
) -> st.SearchStrategy[Any]:
    """Any JSON value, of bounded size."""
    keys = st.sampled_from(["", "detail", "eventName", "tag", "content", "ClientVpnEndpointId"])
    return st.recursive(
        json_scalars(surrogates=surrogates, huge=huge),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                keys | nasty_text(surrogates=surrogates, huge=False), children, max_size=4
            ),
        ),
        max_leaves=max_leaves,
    )


# ---- paths into JSON documents -----------------------------------------------------------

Path = tuple[str | int, ...]


def paths(document: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path in ``document``, parents before children, in document order."""
    if prefix:
        yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from paths(value, (*prefix, index))


def get_at(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


def replaced(document: Any, path: Path, value: Any) -> Any:
    """A deep copy of ``document`` with the value at ``path`` replaced."""
    changed = copy.deepcopy(document)
    *parents, last = path
    get_at(changed, tuple(parents))[last] = value
    return changed


def deleted(document: Any, path: Path) -> Any:
    """A deep copy of ``document`` without the value at ``path``."""
    changed = copy.deepcopy(document)
    *parents, last = path
    del get_at(changed, tuple(parents))[last]
    return changed


def truncated(document: Any, keep: int) -> Any:
    """``document`` with only its first ``keep`` scalars, in document order (a cut-off event)."""
    budget = [keep]

    def cut(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {}
            for key, item in value.items():
                if budget[0] <= 0:
                    break
                kept[key] = cut(item)
            return kept
        if isinstance(value, list):
            items = []
            for item in value:
                if budget[0] <= 0:
                    break
                items.append(cut(item))
            return items
        budget[0] -= 1
        return value

    return cut(document)


# Values of the wrong type for any position, tried at every path of a real document.
WRONG_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**64,
    1.5,
    "",
    "x" * 10_000,
    "\x00",
    [],
    {},
    [None],
    [{}],
    {"tag": 1, "content": None},
)
