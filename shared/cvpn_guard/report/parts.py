"""Split a report too large for one SNS message between whole endpoints; merge the parts back.

SNS refuses messages over 256 KB. A large estate's report is never truncated: it is sent as
``n`` parts, each a complete ``ComplianceReport`` that validates against the schema and reads
on its own. Every part carries the report's ``report_id``, ``part = {index, count}``, and the
WHOLE report's ``generated_at``, ``policy``, ``source`` and ``summary`` (so every part knows
the totals), plus its own run of whole endpoints, in the report's order. The errors, then the
CloudTrail states and the targets not swept follow the last endpoint, packed the same way, so
they travel in the last part(s) (an organization's sweep has one CloudTrail state per account
and region: thousands of them would not fit beside every part's header). ``merge_parts``
concatenates the runs in index order and gives back the report.

An endpoint (or error) too large for a part even on its own is never dropped: its long values
are cut with "…" (findings' expected/actual and changes' before/after through ``short_json``,
so they become their JSON text; names, messages, reasons and errors as text), keeping 2,000
characters of each and fewer only when that is still too much, and it says so with
``shortened: true``; then it is packed like any other. Only such an item differs from the
unsplit report.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from pydantic import BaseModel, JsonValue

from cvpn_guard.exceptions import CvpnGuardError
from cvpn_guard.report.model import (
    ComplianceReport,
    EndpointReport,
    NotSwept,
    RegionTrail,
    ReportError,
    ReportPart,
    compact_json,
)
from cvpn_guard.report.render import cut_text, short_json

# SNS's limit is 262,144 bytes for the whole message (every protocol's text) and its attributes;
# stay well below it so the e-mail text, the chat form and the attributes fit next to the JSON.
DEFAULT_MAX_PART_BYTES = 200_000
# Characters kept of each long value of an endpoint that does not fit, tried in turn.
_CUTS = (2_000, 500, 100, 20)
# Stands in for a part's index and count while measuring: no real number is longer.
_WIDEST_PART = ReportPart(index=999_999, count=999_999)

Item = EndpointReport | ReportError | RegionTrail | NotSwept
Sizer = Callable[[BaseModel], int]


class ReportPartsError(CvpnGuardError):
    """Parts that cannot be merged (missing, duplicated, foreign), or a report that cannot be
    split (its header alone, or one endpoint even shortened, exceeds the byte budget)."""


def split_report(
    report: ComplianceReport, *, max_bytes: int = DEFAULT_MAX_PART_BYTES
) -> list[ComplianceReport]:
    """``[report]`` when its JSON fits in ``max_bytes``, else its parts (see the module doc).

    Each part's JSON (``to_json()``) is at most ``max_bytes`` bytes of UTF-8 as it travels in
    the SNS message: a JSON string there (``MessageStructure=json``), its quotes and
    backslashes escaped once more (``embedded_size``).
    """
    document = report.to_json()
    if embedded_size(document) <= max_bytes:
        return [report]
    size = _sizer(ascii_only=document.isascii())
    frame = report.model_copy(
        update={
            "endpoints": (),
            "errors": (),
            "cloudtrail": (),
            "not_swept": (),
            "part": _WIDEST_PART,
        }
    )
    room = max_bytes - size(frame)
    if room < max_bytes // 2:
        raise ReportPartsError(
            f"the report's header (policy, source, summary) takes {size(frame):,} bytes: too "
            f"much of a part's {max_bytes:,} to leave room for endpoints"
        )
    runs = _runs(
        [*report.endpoints, *report.errors, *report.cloudtrail, *report.not_swept], room, size
    )
    if len(runs) == 1:  # one endpoint that had to be shortened: still one whole report
        return [_with(report, runs[0], part=None)]
    return [
        _with(report, run, part=ReportPart(index=index, count=len(runs)))
        for index, run in enumerate(runs, start=1)
    ]


def merge_parts(parts: Iterable[ComplianceReport]) -> ComplianceReport:
    """The whole report again, from all its parts in any order (a whole report as it is).

    Raises ``ReportPartsError`` when parts of different reports are mixed, a part is missing
    or received twice, or the merged endpoints and errors do not add up to the summary.
    """
    received = list(parts)
    if not received:
        raise ReportPartsError("no parts to merge")
    report_ids = sorted({part.report_id for part in received})
    if len(report_ids) > 1:
        raise ReportPartsError(
            f"parts of {len(report_ids)} different reports mixed together: {', '.join(report_ids)}"
        )
    numbered = [(part.part, part) for part in received if part.part is not None]
    if len(numbered) != len(received):
        if len(received) == 1:
            return received[0]
        raise ReportPartsError(f"report {report_ids[0]}: a whole report mixed with parts")
    counts = sorted({number.count for number, _ in numbered})
    if len(counts) > 1:
        raise ReportPartsError(
            f"report {report_ids[0]}: parts disagree on how many there are ({counts})"
        )
    _check_complete(report_ids[0], counts[0], Counter(number.index for number, _ in numbered))
    ordered = [part for _, part in sorted(numbered, key=lambda pair: pair[0].index)]
    merged = ordered[0].model_copy(
        update={
            "endpoints": tuple(e for part in ordered for e in part.endpoints),
            "errors": tuple(e for part in ordered for e in part.errors),
            "cloudtrail": tuple(t for part in ordered for t in part.cloudtrail),
            "not_swept": tuple(n for part in ordered for n in part.not_swept),
            "part": None,
        }
    )
    summary = merged.summary
    held = (len(merged.endpoints), len(merged.errors), len(merged.not_swept))
    counted = (summary.endpoints, summary.errors, summary.not_swept)
    if held != counted:
        raise ReportPartsError(
            f"report {merged.report_id}: the parts hold {held[0]} endpoints, {held[1]} errors "
            f"and {held[2]} targets not swept; the summary counts {counted[0]}, {counted[1]} "
            f"and {counted[2]}"
        )
    return merged


def _check_complete(report_id: str, count: int, indexes: Counter[int]) -> None:
    missing = sorted(set(range(1, count + 1)) - indexes.keys())
    twice = sorted(index for index, seen in indexes.items() if seen > 1)
    if missing or twice:
        raise ReportPartsError(
            f"report {report_id}: expected parts 1 to {count} once each; "
            f"missing {missing or 'none'}, received twice {twice or 'none'}"
        )


def embedded_size(document: str) -> int:
    """Bytes of UTF-8 that ``document`` takes as a JSON string value (without its quotes), as
    the SNS adapter embeds it: a report full of quoted banner text grows by its escapes."""
    return len(json.dumps(document, ensure_ascii=False).encode()) - 2


def _sizer(*, ascii_only: bool) -> Sizer:
    # A report that needed the ASCII fallback (a lone surrogate somewhere) is measured in that
    # form: exact for parts that need it too, an upper bound for the others. Otherwise
    # model_dump_json's bytes, embedded, are exactly what each item adds to its part (escaping
    # goes character by character, so the sizes of the items add up).
    def size(model: BaseModel) -> int:
        return embedded_size(compact_json(model, ascii_only=ascii_only))

    return size


def _runs(items: list[Item], room: int, size: Sizer) -> list[list[Item]]:
    """Consecutive items packed into runs that each fit in ``room`` bytes."""
    runs: list[list[Item]] = []
    used = room  # so that the first item opens a run
    for item in items:
        fitted, needed = _fitting(item, room, size)
        if used + needed > room:
            runs.append([])
            used = 0
        runs[-1].append(fitted)
        used += needed
    return runs


def _fitting(item: Item, room: int, size: Sizer) -> tuple[Item, int]:
    """``item`` (shortened as little as needed) and the bytes it adds to a part."""
    needed = 0
    for candidate in _shortenings(item):
        needed = size(candidate) + 1  # the comma between two items
        if needed <= room:
            return candidate, needed
    raise ReportPartsError(
        f"{_name(item)} takes {needed:,} bytes even with its values cut to {_CUTS[-1]} "
        f"characters, more than the {room:,} a part has room for"
    )


def _shortenings(item: Item) -> Iterator[Item]:
    yield item
    for limit in _CUTS:
        yield _shortened(item, limit)


def _shortened(item: Item, limit: int) -> Item:
    if isinstance(item, ReportError | NotSwept):
        update: dict[str, object] = {"message": cut_text(item.message, limit), "shortened": True}
        if isinstance(item, ReportError) and item.name is not None:
            update["name"] = cut_text(item.name, limit)
        return item.model_copy(update=update)
    if isinstance(item, RegionTrail):
        problem = None if item.problem is None else cut_text(item.problem, limit)
        return item.model_copy(update={"problem": problem, "shortened": True})
    return item.model_copy(
        update={
            "findings": tuple(
                f.model_copy(
                    update={
                        "expected": _cut_value(f.expected, limit),
                        "actual": _cut_value(f.actual, limit),
                        "message": cut_text(f.message, limit),
                        "fix_error": None if f.fix_error is None else cut_text(f.fix_error, limit),
                    }
                )
                for f in item.findings
            ),
            "changes": tuple(
                c.model_copy(
                    update={
                        "before": _cut_value(c.before, limit),
                        "after": _cut_value(c.after, limit),
                    }
                )
                for c in item.changes
            ),
            "exempted": tuple(
                e.model_copy(update={"reason": cut_text(e.reason, limit)}) for e in item.exempted
            ),
            "name": None if item.name is None else cut_text(item.name, limit),
            "error": None if item.error is None else cut_text(item.error, limit),
            "users_not_counted": (
                None if item.users_not_counted is None else cut_text(item.users_not_counted, limit)
            ),
            "shortened": True,
        }
    )


def _cut_value(value: JsonValue, limit: int) -> JsonValue:
    # A value that is short already keeps its type; a long one becomes its JSON text, cut.
    text = short_json(value, limit)
    return text if text.endswith("…") else value  # JSON never ends in "…": only a cut does


def _with(
    report: ComplianceReport, run: list[Item], *, part: ReportPart | None
) -> ComplianceReport:
    return report.model_copy(
        update={
            "endpoints": tuple(item for item in run if isinstance(item, EndpointReport)),
            "errors": tuple(item for item in run if isinstance(item, ReportError)),
            "cloudtrail": tuple(item for item in run if isinstance(item, RegionTrail)),
            "not_swept": tuple(item for item in run if isinstance(item, NotSwept)),
            "part": part,
        }
    )


def _name(item: Item) -> str:
    if isinstance(item, ReportError):
        return f"the error {item.code} in {item.region or 'no region'}"
    if isinstance(item, RegionTrail):
        return f"the CloudTrail state of {item.account or '?'}/{item.region}"
    if isinstance(item, NotSwept):
        return f"the target not swept {item.account}/{item.region or '*'}"
    return f"endpoint {item.endpoint_id}"
