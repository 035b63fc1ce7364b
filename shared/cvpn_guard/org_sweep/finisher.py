"""Merge the organization sweeps the workers did not: past their deadline, or superseded.

A run whose last work item fails for good (after SQS's receives it lands in the failure
queue), or whose workers are still running when it should have been reported, would never
produce a report. The finisher runs at the start of every sweep and, when the stack sets a
deadline, on a timer: it merges every open run that is due, with the targets that have not
reported as ``not_swept`` entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cvpn_guard.exceptions import AwsCallError
from cvpn_guard.org_sweep.work import RunGone, SweepRuns
from cvpn_guard.org_sweep.worker import Publish, finish_run
from cvpn_guard.policy import Policy
from cvpn_guard.report import ComplianceReport


@dataclass
class FinishedRuns:
    """What one pass of the finisher did."""

    merged: list[ComplianceReport] = field(default_factory=list)
    """Reports of overdue runs it merged and published."""
    closed: list[str] = field(default_factory=list)
    """Runs it found merged, abandoned or expired, and forgot."""
    waiting: list[str] = field(default_factory=list)
    """Open runs not due yet, or whose merge another invocation holds."""
    failed: list[tuple[str, AwsCallError]] = field(default_factory=list)
    """Due runs whose merge failed (they stay open for the next pass), with why."""


def finish_overdue_runs(
    runs: SweepRuns,
    *,
    policy: Policy,
    publish: Publish,
    new_sweep: bool,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FinishedRuns:
    """Merge every open run that is due (see ``RunRecord.overdue``); a run whose merge fails
    is reported in ``failed`` and the others are still merged.

    Raises
    ------
    AwsCallError
        The open runs could not be listed.
    """
    done = FinishedRuns()
    for run_id in runs.open_runs():
        run = runs.run(run_id)
        if run is None or run.merged or run.abandoned:
            runs.close(run_id)
            done.closed.append(run_id)
            continue
        if not run.overdue(now().timestamp(), new_sweep=new_sweep):
            done.waiting.append(run_id)
            continue
        try:
            report = finish_run(
                run_id,
                owner=f"finisher:{run_id}",
                runs=runs,
                policy=policy,
                publish=publish,
                complete=False,
                now=now,
            )
        except AwsCallError as error:  # one run's merge failing keeps no other run waiting
            done.failed.append((run_id, error))
            continue
        except RunGone:  # its items expired under it: nothing left to merge
            runs.close(run_id)
            done.closed.append(run_id)
            continue
        if report is None:
            done.waiting.append(run_id)
        else:
            done.merged.append(report)
    return done
