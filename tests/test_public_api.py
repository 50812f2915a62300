"""Tests for the public surface of mreg_di: lazy exports and a cheap `import mreg_di`."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mreg_di

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("libcst", "networkx", "typeguard", "dependency_injector", "attrs", "attr")


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter on this checkout; return its stdout."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "codegen")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def heavy_modules_after(code: str) -> list[str]:
    """The heavy third-party top-level modules imported once `code` has run."""
    probe = (
        f"{code}\nimport sys, json\n"
        f"print(json.dumps(sorted({{m.partition('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    )
    loaded: list[str] = json.loads(run_python(probe).splitlines()[-1])
    return loaded


class TestExports:
    @pytest.mark.parametrize("name", mreg_di.__all__)
    def test_every_name_resolves(self, name: str) -> None:
        """Every name in __all__ resolves to an object defined in a private module."""
        value = getattr(mreg_di, name)
        assert value is not None
        module = getattr(value, "__module__", None)
        if module is not None and not isinstance(value, (int, str)):
            assert module.startswith("mreg_di._") or module == "typing", (name, module)

    def test_all_matches_lazy_table(self) -> None:
        """__all__ lists exactly the lazily exported names, without duplicates."""
        assert sorted(mreg_di.__all__) == sorted(set(mreg_di.__all__))
        assert set(mreg_di.__all__) == set(mreg_di._EXPORTS)

    def test_exports_come_from_their_module(self) -> None:
        """Each export is the very object its private module defines."""
        for name, module in mreg_di._EXPORTS.items():
            assert getattr(mreg_di, name) is getattr(importlib.import_module(module), name)

    def test_star_import(self) -> None:
        """`from mreg_di import *` brings in exactly __all__."""
        namespace: dict[str, object] = {}
        exec("from mreg_di import *", namespace)
        assert set(namespace) - {"__builtins__"} == set(mreg_di.__all__)

    def test_version(self) -> None:
        """__version__ is the project's version from pyproject.toml."""
        text = (ROOT / "pyproject.toml").read_text("utf-8")
        match = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
        assert match is not None
        assert mreg_di.__version__ == match.group(1)


class TestLazyGetattr:
    def test_unknown_name(self) -> None:
        """An unknown attribute raises AttributeError with the standard message."""
        with pytest.raises(AttributeError, match=r"^module 'mreg_di' has no attribute 'nope'$"):
            mreg_di.nope  # noqa: B018
        assert not hasattr(mreg_di, "ModuleRegistryy")

    def test_unknown_name_in_from_import(self) -> None:
        """`from mreg_di import nope` is the usual ImportError."""
        with pytest.raises(ImportError, match=r"^cannot import name 'nope' from 'mreg_di'"):
            exec("from mreg_di import nope", {})

    def test_private_names_not_exported(self) -> None:
        """Private module contents are not reachable through the lazy table."""
        with pytest.raises(AttributeError, match="has no attribute '_Checker'"):
            mreg_di._Checker  # noqa: B018

    def test_cached_after_first_access(self) -> None:
        """After the first access the name is a plain module global."""
        value = mreg_di.Manifest
        assert vars(mreg_di)["Manifest"] is value

    def test_dir(self) -> None:
        """dir() lists every public name, sorted, before any of them was loaded."""
        names = json.loads(run_python("import mreg_di, json; print(json.dumps(dir(mreg_di)))"))
        assert names == sorted(names)
        assert set(mreg_di.__all__) <= set(names)
        assert "__version__" in names


class TestImportCost:
    def test_import_is_cheap(self) -> None:
        """`import mreg_di` imports none of the heavy libraries, nor any private module."""
        out = run_python(
            "import sys, mreg_di\nprint(sorted(m for m in sys.modules if m.startswith('mreg_di')))"
        )
        assert out.strip() == "['mreg_di']"
        assert heavy_modules_after("import mreg_di") == []

    def test_declaring_plugins_stays_light(self) -> None:
        """Decorating a class with @plugin imports none of the heavy libraries, attrs included."""
        code = "from mreg_di import plugin\n@plugin('x', version='1.0')\nclass X: pass\n"
        assert heavy_modules_after(code) == []

    def test_loading_a_manifest_stays_light(self) -> None:
        """Loading and validating a manifest imports none of the heavy libraries."""
        record = {
            "name": "a", "version": "1.0", "type": "generic", "capabilities": [],
            "provides": ["x.I"], "requires": ["b>=1"], "scope": "singleton",
            "profiles": [], "permissions": [], "priority": 0, "metadata": {},
            "description": "", "variants": [], "kind": "class", "module": "m",
            "qualname": "A", "file": "a.py", "line": 1, "column": 1, "parameters": [],
        }  # fmt: skip
        text = mreg_di.Manifest.from_raw_records(
            [record], files={"a.py": "0" * 64}, order={"default": ["a"]}, generator="test"
        ).dumps()
        code = (
            "import sys\nfrom mreg_di import Manifest\n"
            f"m = Manifest.from_text({text!r})\n"
            "assert m.candidates('x.I') == ['a'] and m.order_for(None) == ['a']\n"
            # Release-only versions and requirements are checked without packaging.
            "assert 'packaging' not in sys.modules\n"
        )
        assert heavy_modules_after(code) == []
