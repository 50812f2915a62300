"""Fixtures for the runtime tests (see runtime_support for the helpers behind them)."""

from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def acme_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `ACME` package and its manifest, scanned once per session (never imported here)."""
    template = Project(tmp_path_factory.mktemp("acme") / "src")
    template.root.mkdir()
    for module, source in ACME.items():
        template.write(module, source)
    template.build()
    return template.root


@pytest.fixture
def acme(project: Project, acme_template: Path) -> Project:
    """A private copy of the `ACME` package with its manifest (file paths are relative)."""
    shutil.copytree(acme_template, project.root, dirs_exist_ok=True)
    return project
