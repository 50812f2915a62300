"""A progress line on stderr for long scans, only when stderr is a terminal.

Nothing appears for scans that finish within `DELAY` seconds, nor when stderr is a file or a
pipe (CI logs stay clean). The line is redrawn in place with ``\\r`` at most `INTERVAL` times a
second and erased at the end. No thread is started, so forking worker processes stays safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["DELAY", "INTERVAL", "Progress"]

DELAY = 0.5
"""Seconds a scan runs before the progress line appears."""

INTERVAL = 0.1
"""Seconds between redraws."""

_WIDTH = 30


class Progress:
    """Draws ``scanning [#####.....] 120/500 files`` on a terminal.

    Args:
        stream: Where to draw (stderr).
        clock: Monotonic seconds (a parameter so tests need no sleeping).

    Example:
        >>> import io
        >>> progress = Progress(io.StringIO())  # not a terminal: draws nothing
        >>> progress(1, 10); progress.close()
    """

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.enabled = _is_terminal(stream)
        self._started = clock()
        self._last = float("-inf")
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        """Record that `done` of `total` files are scanned; redraw when it is time."""
        if not self.enabled:
            return
        now = self.clock()
        if now - self._started < DELAY or (now - self._last < INTERVAL and done < total):
            return
        self._last = now
        filled = _WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(f"\rscanning [{bar}] {done}/{total} files")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the line, so diagnostics start on a clean one."""
        if self._drawn:
            self.stream.write("\r" + " " * (_WIDTH + 40) + "\r")
            self.stream.flush()
            self._drawn = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
