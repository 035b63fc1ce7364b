"""benchmarks/README.md's Performance table is benchmarks/results.json's, and how it is
generated."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest

from benchmarks.readme import (
    BEGIN,
    END,
    README,
    ReadmeError,
    refusal,
    render_block,
    rewrite,
)
from benchmarks.table import RESULTS, Row, paired


def _document(rows: list[Row], *, paired_max: float = 0.4) -> dict[str, Any]:
    return {
        "context": {
            "date": "2026-12-05T10:00:00+00:00",
            "machine": {
                "platform": "Linux-6.1-x86_64",
                "cpu_model": "AMD EPYC 7R13",
                "cpus": 2,
                "memory_gib": 3.8,
                "python": "3.11.7",
            },
            "probe_python": "3.12.4",
            "load_average": {
                "one_minute_at_start": 0.1,
                "one_minute_max_by_section": {"cold start": 0.3, "sweep": 1.9},
                "paired_sections": ["cold start", "first invocation"],
                "one_minute_max_paired": paired_max,
            },
            "tracing": {"enforcer": "Tracing Active"},
            "cold_start_runs": 15,
            "member_rounds": 3,
            "seconds": 480,
        },
        "rows": [{**asdict(row), "met": row.met} for row in rows],
    }


def test_the_readme_table_is_that_of_the_committed_results() -> None:
    # Given the committed results of a `make bench` run
    document = json.loads(RESULTS.read_text())

    # When benchmarks/README.md's block is generated from them
    expected = rewrite(README.read_text(), render_block(document))

    # Then benchmarks/README.md holds exactly that: every figure, range, target and the load
    assert README.read_text() == expected, (
        "benchmarks/README.md's Performance table is not benchmarks/results.json's: "
        "run `.venv/bin/python -m benchmarks.readme`"
    )


def test_a_paired_ratio_shows_its_median_and_its_range_over_the_pairs() -> None:
    # Given the per-round ratios of a paired comparison with a target
    row = paired("cold", "enforcer / Custodian", [0.7, 0.5, 0.55], target=0.6)

    # When it is put in the Performance table
    block = render_block(_document([row]))

    # Then the median, the least and the largest ratio and the verdict are shown
    assert (
        "| enforcer / Custodian | 0.55\u00d7 | 0.50\u20130.70 (3 pairs) | \u2264 0.6 | yes |"
        in block
    )


def test_a_missed_target_is_marked_no() -> None:
    row = paired("cold", "enforcer / boto3", [1.2, 1.3], target=0.9)

    block = render_block(_document([row]))

    assert "| \u2264 0.9 | **no** |" in block


def test_the_table_says_on_what_machine_and_under_what_load_it_ran() -> None:
    block = render_block(_document([Row("s", "peak RSS", 48.5, "MiB")]))

    assert "AMD EPYC 7R13, 2 CPUs, 3.8 GiB, Linux-6.1-x86_64" in block
    assert "Python 3.12.4" in block
    assert "0.10 at the start and at most 0.40 through the paired sections" in block
    assert "sweep 1.90" in block


def test_rows_are_grouped_under_their_sections_in_order() -> None:
    rows = [Row("first", "a", 1, "MiB"), Row("first", "b", 2, "MiB"), Row("second", "c", 3, "")]

    block = render_block(_document(rows))

    assert block.index("**first**") < block.index("| a |") < block.index("| b |")
    assert block.index("| b |") < block.index("**second**") < block.index("| c |")
    assert block.count("|---|---|---|---|---|---|") == 2


def test_a_note_with_a_pipe_does_not_break_the_table() -> None:
    block = render_block(_document([Row("s", "a", 1, "", note="EC2 | SNS")]))

    assert "EC2 \\| SNS" in block


def test_rewrite_replaces_only_what_lies_between_the_markers() -> None:
    readme = f"# Title\n\nbefore\n\n{BEGIN}\nold table\n{END}\n\nafter\n"

    rewritten = rewrite(readme, "new table")

    assert rewritten == f"# Title\n\nbefore\n\n{BEGIN}\nnew table\n{END}\n\nafter\n"


@pytest.mark.parametrize(
    "readme",
    [
        "no markers at all\n",
        f"{BEGIN}\nonly the start\n",
        f"{END}\n{BEGIN}\n",
        f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n",
    ],
)
def test_rewrite_refuses_a_readme_without_one_pair_of_markers_in_order(readme: str) -> None:
    with pytest.raises(ReadmeError, match="once each and in this order"):
        rewrite(readme, "table")


def test_a_run_under_load_is_refused_and_says_what_to_do() -> None:
    reason = refusal(_document([], paired_max=1.4))

    assert reason is not None
    assert "1.40" in reason
    assert "make bench" in reason


def test_a_quiet_run_may_be_published() -> None:
    assert refusal(_document([], paired_max=0.95)) is None
