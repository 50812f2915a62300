"""Shared fixtures for the mreg-codegen tests (append new fixtures at the end)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from mreg_codegen._diagnostics import render_all
from mreg_codegen._scanner import FileScan, scan_source

ScanText = Callable[..., FileScan]


@pytest.fixture
def scan() -> ScanText:
    """Scan a dedented snippet as module ``acme.gz`` in ``acme/gz.py`` (keywords override).

    Example::

        def test_x(scan):
            result = scan('''
                from mreg_di import plugin
                @plugin("x")
                class X: ...
            ''')
    """

    def run(
        source: str | bytes,
        *,
        module: str = "acme.gz",
        path: str = "acme/gz.py",
        rel_file: str | None = None,
        is_package: bool = False,
    ) -> FileScan:
        data = source if isinstance(source, bytes) else textwrap.dedent(source).encode()
        return scan_source(
            data,
            module=module,
            path=path,
            rel_file=path if rel_file is None else rel_file,
            is_package=is_package,
        )

    return run


@pytest.fixture
def rendered(scan: ScanText) -> Callable[..., str]:
    """Scan a dedented snippet and render its diagnostics as ``mreg-codegen`` prints them."""

    def run(source: str | bytes, **options: object) -> str:
        return render_all(scan(source, **options).diagnostics, "text")

    return run
