"""mreg-codegen: the build step of mreg-di.

It finds every ``@plugin`` / ``@factory`` declaration in a source tree without importing it,
validates the whole dependency graph like a compiler does, and writes the manifest the runtime
starts from. Run it as ``mreg-codegen scan SRC --output MANIFEST`` (or
``python -m mreg_codegen``); see ``docs/codegen.md``.

Public names are loaded on first access (PEP 562), so ``import mreg_codegen`` imports neither
libcst nor networkx: a warm re-scan of an unchanged tree never needs either.

Example:
    >>> import mreg_codegen
    >>> mreg_codegen.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mreg_codegen.__main__ import main
    from mreg_codegen._build import ScanOptions, ScanReport, ScanStats, scan_project

__version__ = "0.1.0"

# Public name -> private module defining it.
_EXPORTS: dict[str, str] = {
    "main": "mreg_codegen.__main__",
    "ScanOptions": "mreg_codegen._build",
    "ScanReport": "mreg_codegen._build",
    "ScanStats": "mreg_codegen._build",
    "scan_project": "mreg_codegen._build",
}

__all__ = ["ScanOptions", "ScanReport", "ScanStats", "__version__", "main", "scan_project"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mreg_codegen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
