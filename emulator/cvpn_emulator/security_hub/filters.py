"""GetFindings' string filters (AwsSecurityFindingFilters), as StringFilter documents them.

moto 5.2 returns every finding whatever the filters say. Here, per the StringFilter
documentation (botocore's securityhub model): a finding matches when it matches every
attribute filtered; on one attribute, ``EQUALS``, ``PREFIX`` and ``CONTAINS`` filters are
joined by OR, ``NOT_EQUALS``, ``PREFIX_NOT_EQUALS`` and ``NOT_CONTAINS`` by AND; CONTAINS goes
only with CONTAINS, NOT_CONTAINS only with NOT_CONTAINS, and EQUALS not with NOT_EQUALS or
PREFIX_NOT_EQUALS ("Combining filters in this way returns an error"); at most 10 attributes
of at most 20 values (GetFindings). Only the attributes below are emulated: any other is
refused rather than ignored, so a test never passes on a filter that did nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from moto.securityhub.exceptions import InvalidInputException

MAX_ATTRIBUTES = 10
MAX_VALUES = 20
POSITIVE = frozenset({"EQUALS", "PREFIX", "CONTAINS", "CONTAINS_WORD"})
NEGATIVE = frozenset({"NOT_EQUALS", "PREFIX_NOT_EQUALS", "NOT_CONTAINS"})


def _top(key: str) -> Callable[[Mapping[str, Any]], list[str]]:
    return lambda finding: [str(finding[key])] if finding.get(key) is not None else []


def _nested(key: str, member: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def values(finding: Mapping[str, Any]) -> list[str]:
        value = (finding.get(key) or {}).get(member)
        return [str(value)] if value is not None else []

    return values


def _of_resources(member: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def values(finding: Mapping[str, Any]) -> list[str]:
        return [str(r[member]) for r in finding.get("Resources") or () if r.get(member)]

    return values


# Filter attribute -> the finding's values for it (several for a list, such as Resources).
ATTRIBUTES: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "Id": _top("Id"),
    "ProductArn": _top("ProductArn"),
    "GeneratorId": _top("GeneratorId"),
    "AwsAccountId": _top("AwsAccountId"),
    "Title": _top("Title"),
    "RecordState": _top("RecordState"),
    "WorkflowStatus": _nested("Workflow", "Status"),
    "ComplianceStatus": _nested("Compliance", "Status"),
    "SeverityLabel": _nested("Severity", "Label"),
    "ResourceId": _of_resources("Id"),
    "ResourceType": _of_resources("Type"),
    "ResourceRegion": _of_resources("Region"),
    "Type": lambda finding: [str(t) for t in finding.get("Types") or ()],
}


def _invalid(message: str) -> InvalidInputException:
    return InvalidInputException(op="GetFindings", msg=message)


def _check(attribute: str, comparisons: set[str]) -> None:
    contains = comparisons & {"CONTAINS"}
    if contains and comparisons - contains:
        raise _invalid(f"{attribute}: CONTAINS filters can only be used with other CONTAINS")
    if "NOT_CONTAINS" in comparisons and comparisons - {"NOT_CONTAINS"}:
        raise _invalid(f"{attribute}: NOT_CONTAINS filters only go with NOT_CONTAINS filters")
    if "EQUALS" in comparisons and comparisons & {"NOT_EQUALS", "PREFIX_NOT_EQUALS"}:
        raise _invalid(f"{attribute}: EQUALS cannot be combined with NOT_EQUALS filters")


def _matches(comparison: str, wanted: str, value: str) -> bool:
    if comparison in ("EQUALS", "NOT_EQUALS"):
        return value == wanted
    if comparison in ("PREFIX", "PREFIX_NOT_EQUALS"):
        return value.startswith(wanted)
    if comparison == "CONTAINS_WORD":
        return wanted.lower() in value.lower().split()
    return wanted in value  # CONTAINS, NOT_CONTAINS


def validated(filters: Mapping[str, Any] | None) -> dict[str, list[dict[str, str]]]:
    """The filters, or InvalidInputException for what Security Hub refuses or we do not
    emulate."""
    used = {name: list(items) for name, items in (filters or {}).items() if items}
    if len(used) > MAX_ATTRIBUTES:
        raise _invalid(f"at most {MAX_ATTRIBUTES} finding attributes can be filtered")
    for name, items in used.items():
        if name not in ATTRIBUTES:
            raise _invalid(f"the emulator does not filter on {name} (cvpn_emulator)")
        if len(items) > MAX_VALUES:
            raise _invalid(f"{name}: at most {MAX_VALUES} filter values")
        comparisons = {str(item.get("Comparison")) for item in items}
        unknown = comparisons - POSITIVE - NEGATIVE
        if unknown:
            raise _invalid(f"{name}: unknown comparison {sorted(unknown)}")
        _check(name, comparisons)
    return used


def matching(
    findings: Iterable[Mapping[str, Any]], filters: Mapping[str, list[dict[str, str]]]
) -> list[Mapping[str, Any]]:
    """The findings that every filtered attribute lets through."""

    def keeps(finding: Mapping[str, Any]) -> bool:
        for name, items in filters.items():
            values = ATTRIBUTES[name](finding)
            wanted = [i for i in items if i["Comparison"] in POSITIVE]
            refused = [i for i in items if i["Comparison"] in NEGATIVE]
            if wanted and not any(
                _matches(i["Comparison"], i["Value"], v) for i in wanted for v in values
            ):
                return False
            if any(_matches(i["Comparison"], i["Value"], v) for i in refused for v in values):
                return False
        return True

    return [finding for finding in findings if keeps(finding)]
