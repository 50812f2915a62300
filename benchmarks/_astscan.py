"""Reference cost of a parse: read every ``.py`` file under a root and parse it with ``ast``.

Run by the harness as a script (``python _astscan.py ROOT``); prints ``key=value`` lines. It
counts top-level classes and functions decorated with a call to ``plugin`` / ``factory``, so it
does the minimum a scanner must do (read, parse, look at decorators) with CPython's own C
parser, on one process. Timed in-process, without interpreter start-up.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path


def _is_declaration(decorator: ast.expr) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("plugin", "factory")


def main(root: str) -> int:
    """Parse every file under `root`, print the file count, declarations and seconds."""
    start = time.perf_counter()
    files = declarations = 0
    for path in sorted(Path(root).rglob("*.py")):
        tree = ast.parse(path.read_bytes(), filename=str(path))
        files += 1
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                declarations += sum(_is_declaration(d) for d in node.decorator_list)
    elapsed = time.perf_counter() - start
    print(f"files={files}")
    print(f"declarations={declarations}")
    print(f"seconds={elapsed:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
