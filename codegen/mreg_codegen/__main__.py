"""``python -m mreg_codegen`` and the ``mreg-codegen`` console script.

Example:
    >>> main(["--version"])
    mreg-codegen 0.1.0
    0
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mreg-codegen`` with `argv` (default: ``sys.argv[1:]``); return the exit status.

    Exit status: 0 ok, 1 problems found or manifest stale, 2 usage error.

    Example:
        >>> main(["list", "/no/such/mreg-manifest.json"])  # doctest: +SKIP
        1
    """
    from mreg_codegen._cli import run

    return run(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
