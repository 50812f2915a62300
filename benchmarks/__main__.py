"""``python -m benchmarks [--quick]``: see docs/benchmarks.md."""

from __future__ import annotations

import sys

from benchmarks._harness import main

if __name__ == "__main__":
    sys.exit(main())
