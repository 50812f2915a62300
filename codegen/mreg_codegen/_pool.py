"""Worker processes that survive their workers dying.

Parsing runs in worker processes so that one file cannot kill the run: libcst's native parser
can crash the whole interpreter (a segmentation fault or a Rust stack overflow on deeply nested
expressions), which no ``try`` can catch. `run_tasks` hands each worker batches of tasks and
receives one message of results per batch; before each task the worker writes the task's index
into a shared-memory integer, so when a worker dies the parent knows exactly which task it was
on: that task gets the `on_crash` result, the tasks it had not answered go back in the queue,
and a fresh worker takes over. Batches shrink as the queue empties, so the workers finish
together.

Whatever a worker writes to stderr goes to a temporary log, so a dying parser's last words
("fatal runtime error: stack overflow") end up in the crash description rather than in the
middle of the diagnostics.

`concurrent.futures.ProcessPoolExecutor` cannot do this: when a worker dies it fails every
pending future with `BrokenProcessPool` and cannot say which task caused it.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import multiprocessing.connection
import os
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess

__all__ = ["describe_exit", "run_tasks"]

T = TypeVar("T")
R = TypeVar("R")

_MAX_BATCH = 32
_STOP = None


def describe_exit(exitcode: int | None) -> str:
    """Words for how a worker process ended.

    Example:
        >>> describe_exit(-11)
        'killed by signal SIGSEGV'
        >>> describe_exit(3)
        'exited with status 3'
    """
    if exitcode is None:
        return "stopped responding"
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


def _worker_main(conn: Connection, func: Callable[[Any], Any], log: str, current: Any) -> None:
    # The parent handles Ctrl-C and stops the workers; a worker must not print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What a dying parser prints ("fatal runtime error: stack overflow") goes to `log`, for the
    # parent to quote, instead of interleaving with the diagnostics on the terminal.
    faulthandler.disable()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 2)
    os.close(fd)
    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        if batch is _STOP:
            return
        answers: list[tuple[int, bool, Any]] = []
        for index, task in batch:
            current.value = index  # shared memory: readable by the parent after a crash
            try:
                answers.append((index, True, func(task)))
            except Exception as exc:  # a bug in `func`: report it for this task only
                answers.append((index, False, f"{type(exc).__name__}: {exc}"))
        conn.send(answers)


def _context() -> BaseContext:
    # fork is cheapest, but forking a process that runs other threads can deadlock the child.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Worker(Generic[T]):
    """One worker process and the task indexes it has been sent but not answered."""

    __slots__ = ("batches", "conn", "current", "log", "process")

    def __init__(self, context: BaseContext, func: Callable[[T], Any]) -> None:
        fd, self.log = tempfile.mkstemp(prefix="mreg-codegen-worker-", suffix=".log")
        os.close(fd)
        self.current = context.RawValue("q", -1)
        parent_conn, child_conn = context.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child_conn, func, self.log, self.current), daemon=True
        )
        self.process.start()
        child_conn.close()
        self.conn = parent_conn
        self.batches: deque[list[int]] = deque()

    def last_words(self) -> str:
        """The last line the worker wrote to stderr, if any."""
        try:
            with open(self.log, "rb") as stream:
                stream.seek(0, os.SEEK_END)
                stream.seek(max(0, stream.tell() - 4096))
                tail = stream.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        lines = [line.strip() for line in tail.splitlines() if line.strip()]
        return lines[-1][:200] if lines else ""

    def close(self) -> None:
        """Release the pipe and the stderr log."""
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log)

    def send(self, indexes: list[int], tasks: Sequence[T]) -> None:
        self.conn.send([(index, tasks[index]) for index in indexes])
        self.batches.append(indexes)

    @property
    def inflight(self) -> list[int]:
        """Task indexes sent and not answered, in the order the worker runs them."""
        return [index for batch in self.batches for index in batch]

    def stop(self) -> None:
        """Ask the (idle) worker to exit; kill it if it does not within five seconds."""
        with contextlib.suppress(OSError):
            self.conn.send(_STOP)
        self.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        """End the worker now, whatever it is doing, and release its pipe and log."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.close()


def run_tasks(
    func: Callable[[T], R],
    tasks: Sequence[T],
    *,
    jobs: int,
    on_crash: Callable[[T, str, bool], R],
    on_result: Callable[[int], None] | None = None,
) -> list[R]:
    """Run ``func(task)`` for every task in up to `jobs` worker processes.

    Args:
        func: A module-level function (it is sent to the workers by reference). An exception
            it raises fails only that task.
        tasks: Picklable inputs.
        jobs: The most worker processes to run at once.
        on_crash: Builds the result of a task whose worker died or whose `func` raised, from
            the task, a description ("killed by signal SIGSEGV", "ValueError: ...") and
            whether the worker died.
        on_result: Called with the number of tasks done so far, after each one.

    Returns:
        The results, in the order of `tasks` whatever order the workers finished in.

    Example:
        >>> run_tasks(abs, [-1, 2, -3], jobs=2, on_crash=lambda task, why, died: 0)
        [1, 2, 3]
    """
    if not tasks:
        return []
    context = _context()
    results: list[Any] = [None] * len(tasks)
    pending: deque[int] = deque(range(len(tasks)))
    count = min(jobs, len(tasks))
    done = 0
    workers: list[_Worker[T]] = []

    def feed(worker: _Worker[T]) -> None:
        # A second batch in flight keeps a worker busy while the parent reads its results;
        # batches shrink with the queue (guided scheduling) so that workers finish together.
        while pending and len(worker.batches) < 2:
            size = max(1, min(_MAX_BATCH, len(pending) // (count * 4)))
            take = [pending.popleft() for _ in range(size)]
            try:
                worker.send(take, tasks)
            except OSError:  # it has just died; the wait loop sees that and buries it
                pending.extendleft(reversed(take))
                return

    def finish(index: int, result: Any) -> None:
        nonlocal done
        results[index] = result
        done += 1
        if on_result is not None:
            on_result(done)

    try:
        for _ in range(count):
            worker: _Worker[T] = _Worker(context, func)
            workers.append(worker)
            feed(worker)
        while done < len(tasks):
            waitables: list[Any] = [w.conn for w in workers] + [w.process.sentinel for w in workers]
            ready = set(multiprocessing.connection.wait(waitables))
            for worker in list(workers):
                died = worker.process.sentinel in ready
                if worker.conn in ready or died:
                    died = _drain(worker, tasks, finish, on_crash) or died
                if died:
                    _bury(worker, tasks, pending, finish, on_crash)
                    workers.remove(worker)
                    if pending:
                        worker = _Worker(context, func)
                        workers.append(worker)
                        feed(worker)
                else:
                    feed(worker)
            if not workers and pending:  # every worker died with the last tasks in flight
                worker = _Worker(context, func)
                workers.append(worker)
                feed(worker)
    except BaseException:
        # Ctrl-C or a bug in the parent: do not wait for batches nobody will read.
        for worker in workers:
            worker.kill()
        raise
    for worker in workers:
        worker.stop()
    return results


def _drain(
    worker: _Worker[T],
    tasks: Sequence[T],
    finish: Callable[[int, Any], None],
    on_crash: Callable[[T, str, bool], Any],
) -> bool:
    """Take every batch of results the worker has sent; report whether its pipe was closed."""
    try:
        while worker.conn.poll():
            answers = worker.conn.recv()
            expected = worker.batches.popleft()
            if [answer[0] for answer in answers] != expected:  # pragma: no cover - protocol
                raise RuntimeError(f"a worker answered {answers!r:.80}, expected {expected}")
            for index, ok, value in answers:
                finish(index, value if ok else on_crash(tasks[index], value, False))
    except (EOFError, OSError):
        return True
    return False


def _bury(
    worker: _Worker[T],
    tasks: Sequence[T],
    pending: deque[int],
    finish: Callable[[int, Any], None],
    on_crash: Callable[[T, str, bool], Any],
) -> None:
    """A worker died: the task it was on crashed it; the others go back to the queue."""
    worker.process.join()
    reason = describe_exit(worker.process.exitcode)
    words = worker.last_words()
    if words:
        reason += f": {words}"
    unanswered = worker.inflight
    worker.close()
    if not unanswered:
        return
    current = worker.current.value
    # Dying between tasks (current not among them) still blames the first: the queue must
    # shrink, or a worker that always dies would be replaced forever.
    culprit = current if current in unanswered else unanswered[0]
    finish(culprit, on_crash(tasks[culprit], reason, True))
    pending.extendleft(reversed([index for index in unanswered if index != culprit]))
