"""Tests for mreg_codegen._progress: a progress line only on terminals, only for long scans."""

from __future__ import annotations

import io

from mreg_codegen._progress import DELAY, INTERVAL, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestProgress:
    def test_silent_when_not_a_terminal(self) -> None:
        """Nothing is written when stderr is a file or a pipe, however long the scan."""
        stream = io.StringIO()
        clock = Clock()
        progress = Progress(stream, clock=clock)
        clock.now += 10 * DELAY
        progress(5, 10)
        progress.close()
        assert stream.getvalue() == ""

    def test_silent_for_short_scans(self) -> None:
        """A scan that ends before DELAY draws nothing, even on a terminal."""
        stream = Terminal()
        progress = Progress(stream, clock=Clock())
        progress(10, 10)
        progress.close()
        assert stream.getvalue() == ""

    def test_draws_and_erases(self) -> None:
        """After DELAY the line is drawn with \\r, throttled, always at the end, then erased."""
        stream = Terminal()
        clock = Clock()
        progress = Progress(stream, clock=clock)
        clock.now += DELAY
        progress(3, 10)
        progress(4, 10)  # within INTERVAL of the last draw: skipped
        clock.now += 2 * INTERVAL
        progress(5, 10)
        progress(10, 10)  # the last one is always drawn
        progress.close()
        bar = "#" * 9 + "." * 21
        assert stream.getvalue() == (
            f"\rscanning [{bar}] 3/10 files"
            f"\rscanning [{'#' * 15 + '.' * 15}] 5/10 files"
            f"\rscanning [{'#' * 30}] 10/10 files"
            "\r" + " " * 70 + "\r"
        )

    def test_closed_stream_counts_as_no_terminal(self) -> None:
        """A closed stream is treated as not a terminal instead of raising."""
        stream = io.StringIO()
        stream.close()
        assert Progress(stream).enabled is False
