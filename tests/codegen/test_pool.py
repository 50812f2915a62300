"""Tests for mreg_codegen._pool: worker processes that survive a worker dying.

The crashing tasks really kill their worker process (os.abort, os._exit, a segfault through
ctypes), exactly as a native parser crash would.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import tempfile
from pathlib import Path

import pytest

from mreg_codegen._pool import describe_exit, run_tasks


def double_or_die(n: int) -> int:
    """Double `n`; abort the process on multiples of 7 plus 3, raise on 11k + 5."""
    if n % 7 == 3:
        os.abort()
    if n % 11 == 5:
        raise ValueError(f"bad {n}")
    return n * 2


def segfault(n: int) -> int:
    """Crash the interpreter with a real segmentation fault when n == 1."""
    if n == 1:
        ctypes.string_at(0)
    return n


def exit_quietly(n: int) -> int:
    """Leave the process with status 3 when n == 0 (no exception, no signal)."""
    if n == 0:
        os._exit(3)
    return n


def last_words(n: int) -> int:
    """Write to stderr, then abort, when n == 2."""
    if n == 2:
        os.write(2, b"first line\nfatal runtime error: stack overflow\n")
        os.abort()
    return n


def crash_result(task: int, reason: str, died: bool) -> tuple[int, str, bool]:
    return (task, reason, died)


def expected(n: int) -> object:
    if n % 7 == 3:
        return (n, "killed by signal SIGABRT", True)
    if n % 11 == 5:
        return (n, f"ValueError: bad {n}", False)
    return n * 2


class TestRunTasks:
    def test_empty(self) -> None:
        """No tasks: no worker is started and the result is empty."""
        assert run_tasks(abs, [], jobs=4, on_crash=crash_result) == []

    @pytest.mark.parametrize("jobs", [1, 2, 5])
    def test_results_in_task_order(self, jobs: int) -> None:
        """Results come back in the order of the tasks whatever the number of workers."""
        tasks = list(range(-60, 60))
        assert run_tasks(abs, tasks, jobs=jobs, on_crash=crash_result) == [abs(t) for t in tasks]

    @pytest.mark.parametrize("jobs", [1, 2, 3])
    def test_crash_is_attributed_to_its_task(self, jobs: int) -> None:
        """Each task that kills its worker gets the crash result; every other task still runs."""
        tasks = list(range(120))
        results = run_tasks(double_or_die, tasks, jobs=jobs, on_crash=crash_result)
        assert results == [expected(n) for n in tasks]

    def test_segfault(self) -> None:
        """A real segmentation fault is reported as SIGSEGV for the task that caused it."""
        results = run_tasks(segfault, [0, 1, 2, 3], jobs=1, on_crash=crash_result)
        assert results == [0, (1, "killed by signal SIGSEGV", True), 2, 3]

    def test_last_words_are_quoted(self) -> None:
        """The last line a dying worker wrote to stderr is added to its crash description."""
        results = run_tasks(last_words, [1, 2, 3], jobs=1, on_crash=crash_result)
        assert results == [
            1,
            (2, "killed by signal SIGABRT: fatal runtime error: stack overflow", True),
            3,
        ]

    def test_no_log_left_behind(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The workers' stderr logs are deleted, after crashes too."""
        monkeypatch.setenv("TMPDIR", str(tmp_path))
        monkeypatch.setattr(tempfile, "tempdir", None)
        run_tasks(double_or_die, list(range(12)), jobs=2, on_crash=crash_result)
        assert list(tmp_path.iterdir()) == []

    def test_interrupted_parent_kills_its_workers(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An exception in the parent (Ctrl-C) ends every worker at once and leaves no log."""
        monkeypatch.setenv("TMPDIR", str(tmp_path))
        monkeypatch.setattr(tempfile, "tempdir", None)

        def interrupt(done: int) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run_tasks(abs, list(range(500)), jobs=2, on_crash=crash_result, on_result=interrupt)
        assert multiprocessing.active_children() == []
        assert list(tmp_path.iterdir()) == []

    def test_exit_status(self) -> None:
        """A worker that exits without a signal is reported with its exit status."""
        results = run_tasks(exit_quietly, [0, 1], jobs=2, on_crash=crash_result)
        assert results == [(0, "exited with status 3", True), 1]

    def test_every_task_crashing(self) -> None:
        """When every task kills its worker the run still ends, one crash result per task."""
        tasks = [3, 10, 17, 24]
        results = run_tasks(double_or_die, tasks, jobs=2, on_crash=crash_result)
        assert results == [(n, "killed by signal SIGABRT", True) for n in tasks]

    def test_progress_callback(self) -> None:
        """on_result is called once per task with the running count, crashes included."""
        seen: list[int] = []
        run_tasks(
            double_or_die, list(range(20)), jobs=2, on_crash=crash_result, on_result=seen.append
        )
        assert seen == list(range(1, 21))


class TestDescribeExit:
    @pytest.mark.parametrize(
        ("code", "text"),
        [
            (-11, "killed by signal SIGSEGV"),
            (-6, "killed by signal SIGABRT"),
            (-200, "killed by signal 200"),
            (1, "exited with status 1"),
            (None, "stopped responding"),
        ],
    )
    def test_words(self, code: int | None, text: str) -> None:
        """Exit codes become words: a signal by name, a status by number."""
        assert describe_exit(code) == text
