"""Fixtures for the runtime tests (see runtime_support for the helpers behind them)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_support import ACME, Project, forget


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A fresh source root on sys.path; its modules are forgotten afterwards."""
    root = tmp_path / "src"
    root.mkdir()
    sys.path.insert(0, str(root))
    made = Project(root)
    try:
        yield made
    finally:
        sys.path.remove(str(root))
        forget(made.packages())


@pytest.fixture
def acme(project: Project) -> Project:
    """The `ACME` package written and its manifest built."""
    for module, source in ACME.items():
        project.write(module, source)
    project.build()
    assert project.problems == []
    return project
