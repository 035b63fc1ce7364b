"""The progress bar: what a line says, and when it is redrawn."""

from __future__ import annotations

import io
import threading

from cvpn_guard.cli.progress import ProgressBar, RegionProgress, render_line


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_with_totals_the_line_has_a_bar_counts_per_region_and_an_eta() -> None:
    # Given half of 200 endpoints done after 10 seconds
    regions = {
        "eu-west-1": RegionProgress(done=80, total=120),
        "us-east-1": RegionProgress(done=20, total=80),
    }

    # When the line is rendered
    line = render_line(regions, elapsed=10.0)

    # Then it shows a half-full bar, the counts and the time left at this rate
    assert line == (
        "[############............] 100/200 endpoints  eu-west-1 80/120  us-east-1 20/80"
        "  0:10  ETA 0:10"
    )


def test_without_every_total_the_line_counts_and_shows_the_rate() -> None:
    regions = {
        "eu-west-1": RegionProgress(done=300, total=None),
        "us-east-1": RegionProgress(done=100, total=90),
    }
    assert render_line(regions, elapsed=4.0) == (
        "scanning: 400 endpoints  eu-west-1 300  us-east-1 100/90  100/s  0:04"
    )


def test_a_finished_scan_has_a_full_bar_and_no_eta() -> None:
    line = render_line({"eu-west-1": RegionProgress(done=5, total=5)}, elapsed=61.0)
    assert line == "[########################] 5/5 endpoints  eu-west-1 5/5  1:01"


def test_an_empty_estate_is_complete() -> None:
    line = render_line({"eu-west-1": RegionProgress(done=0, total=0)}, elapsed=0.0)
    assert line.startswith("[" + "#" * 24 + "] 0/0 endpoints")


def test_a_line_wider_than_the_terminal_is_cut_with_an_ellipsis() -> None:
    regions = {f"region-{n}": RegionProgress(done=n, total=10) for n in range(10)}
    line = render_line(regions, elapsed=1.0, width=60)
    assert len(line) == 60
    assert line.endswith("…")


def test_redraws_are_throttled_and_close_draws_the_final_state() -> None:
    # Given a bar on a fake stream with a fake clock
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(["eu-west-1"], stream, clock=clock, min_interval=0.1)
    bar.set_total("eu-west-1", 3)

    # When three endpoints finish within 50 ms, then the scan ends later
    bar.update("eu-west-1", 1)
    clock.now += 0.02
    bar.update("eu-west-1", 2)
    clock.now += 0.03
    bar.update("eu-west-1", 3)
    clock.now += 1.0
    bar.close()

    # Then only the first update was drawn, and close drew the final state and ended the line
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 2
    assert "1/3 endpoints" in frames[0]
    assert frames[1].startswith("[" + "#" * 24 + "] 3/3 endpoints")
    assert frames[1].endswith("\n")


def test_a_shorter_line_pads_over_the_previous_one() -> None:
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(["eu-west-1"], stream, clock=clock, min_interval=0.0)
    bar.update("eu-west-1", 1000)  # no total: "scanning: 1000 endpoints ..."
    bar.set_total("eu-west-1", 1000)
    clock.now += 1
    bar.update("eu-west-1", 1000)
    first, second = stream.getvalue().split("\r")[1:]
    assert len(second) >= len(first)


def test_more_endpoints_than_counted_raise_the_total() -> None:
    # Given a region counted at 2 endpoints, and a third created during the scan
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(["eu-west-1"], stream, clock=clock, min_interval=0.0)
    bar.set_total("eu-west-1", 2)

    # When the sweep reports 3 done
    bar.update("eu-west-1", 3)

    # Then the bar never claims more than 100%
    assert "3/3 endpoints" in stream.getvalue()


def test_updates_from_many_threads_are_all_counted() -> None:
    # Given one thread per region, as the sweep runs them
    clock, stream = FakeClock(), io.StringIO()
    regions = [f"region-{n}" for n in range(8)]
    bar = ProgressBar(regions, stream, clock=clock, min_interval=0.0)

    def work(region: str) -> None:
        for done in range(1, 201):
            bar.update(region, done)

    threads = [threading.Thread(target=work, args=(region,)) for region in regions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bar.close()

    # Then the final line counts every endpoint
    assert "scanning: 1600 endpoints" in stream.getvalue().split("\r")[-1]
