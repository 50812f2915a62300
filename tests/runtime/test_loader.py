"""Tests for mreg_di._loader: sha256 before import, import, finding the declared object."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from runtime_support import Project

from mreg_di._errors import StaleManifestError
from mreg_di._loader import Loader, sha256_of
from mreg_di._manifest import Manifest
from mreg_di._registry import ModuleRegistry
from mreg_di._spec import PluginRecord, PluginSpec

HINT = "Hint: the manifest is stale; re-run `mreg-codegen scan` to regenerate it"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit(project: Project, module: str, old: str, new: str) -> Path:
    path = project.root.joinpath(*module.split(".")).with_suffix(".py")
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


class TestStaleFile:
    def test_detected_before_import(self, acme: Project) -> None:
        """A file edited after the scan raises StaleManifestError and is never imported."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        expected = registry.manifest.files["acme/compression.py"]
        path = edit(acme, "acme.compression", "level: int = 6", "level: int = 7")
        with pytest.raises(StaleManifestError) as info:
            registry.create_plugin("gzip-compressor")
        assert str(info.value) == (
            f"{acme.manifest_path}: plugin `gzip-compressor` (acme/compression.py): the file "
            f"changed since the manifest was generated (its sha256 is {digest(path)[:12]}..., "
            f"the manifest has {expected[:12]}...); its module `acme.compression` was not "
            f"imported\n{HINT}"
        )
        assert "acme.compression" not in sys.modules
        assert (info.value.plugin, info.value.file) == ("gzip-compressor", "acme/compression.py")

    def test_dependency_checked_before_its_import(self, acme: Project) -> None:
        """A stale dependency stops the consumer before the dependency's module is imported."""
        edit(acme, "acme.sinks", "priority=5", "priority=50")
        with pytest.raises(StaleManifestError, match=r"plugin `log-sink` \(acme/sinks\.py\)"):
            ModuleRegistry.from_manifest(acme.manifest_path).create_plugin("pipeline")
        assert "acme.sinks" not in sys.modules

    def test_deleted_file(self, acme: Project) -> None:
        """A file that no longer exists is reported with where it was looked for."""
        path = acme.root / "acme" / "compression.py"
        path.unlink()
        with pytest.raises(StaleManifestError) as info:
            ModuleRegistry.from_manifest(acme.manifest_path).create_plugin("gzip-compressor")
        assert str(info.value) == (
            f"{acme.manifest_path}: plugin `gzip-compressor` (acme/compression.py): the file "
            f"cannot be read (No such file or directory: {path}); it was moved or deleted\n"
            f"{HINT}"
        )
        assert isinstance(info.value.__cause__, FileNotFoundError)

    def test_verify_false_skips_the_check(self, acme: Project) -> None:
        """With verify=False an edited file is imported as it is now."""
        edit(acme, "acme.compression", "level: int = 6", "level: int = 7")
        registry = ModuleRegistry.from_manifest(acme.manifest_path, verify=False)
        assert registry.create_plugin("gzip-compressor").level == 7


class TestMissingDeclaration:
    def test_renamed_class(self, acme: Project) -> None:
        """A class renamed since the scan is a StaleManifestError, not an AttributeError."""
        edit(acme, "acme.compression", "class GzipCompressor:", "class ZlibCompressor:")
        registry = ModuleRegistry.from_manifest(acme.manifest_path, verify=False)
        with pytest.raises(StaleManifestError) as info:
            registry.create_plugin("gzip-compressor")
        where = acme.location("acme.compression", '@plugin("gzip-compressor"')
        assert str(info.value) == (
            f"{acme.manifest_path}: plugin `gzip-compressor` (acme/compression.py): module "
            f"`acme.compression` has no `GzipCompressor` (the manifest declares it at {where}); "
            f"it was renamed or removed\n{HINT}"
        )
        assert not isinstance(info.value, AttributeError)

    def test_renamed_plugin(self, acme: Project) -> None:
        """A class now declaring another plugin name is stale too."""
        edit(acme, "acme.compression", '@plugin("gzip-compressor"', '@plugin("gzip"')
        registry = ModuleRegistry.from_manifest(acme.manifest_path, verify=False)
        with pytest.raises(StaleManifestError) as info:
            registry.create_plugin("gzip-compressor")
        assert str(info.value) == (
            f"{acme.manifest_path}: plugin `gzip-compressor` (acme/compression.py): "
            "`acme.compression.GzipCompressor` declares plugin `gzip`, but the manifest has it "
            f"as plugin `gzip-compressor`\n{HINT}"
        )

    def test_undecorated(self, acme: Project) -> None:
        """A class whose decorator was removed is stale."""
        edit(acme, "acme.compression", '@plugin("gzip-compressor"', "@(lambda c: c)  # (")
        registry = ModuleRegistry.from_manifest(acme.manifest_path, verify=False)
        with pytest.raises(StaleManifestError, match=r"GzipCompressor` is not decorated, but"):
            registry.create_plugin("gzip-compressor")


class TestImport:
    def test_module_not_importable(self, acme: Project) -> None:
        """A module missing from sys.path gets a note naming the plugin and what to fix."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        sys.path.remove(str(acme.root))
        try:
            with pytest.raises(ModuleNotFoundError) as info:
                registry.create_plugin("gzip-compressor")
        finally:
            sys.path.insert(0, str(acme.root))
        where = acme.location("acme.compression", '@plugin("gzip-compressor"')
        assert info.value.__notes__ == [
            f"mreg-di: plugin `gzip-compressor` ({where}) lives in module `acme.compression`, "
            "which is not importable.\nHint: put the source root the manifest was scanned from "
            "on sys.path (or install the package)"
        ]

    def test_module_raising_on_import(self, project: Project) -> None:
        """An exception raised by the module itself propagates with a note naming the plugin."""
        project.write(
            "flaky.service",
            """
            from pathlib import Path

            from mreg_di import plugin

            if (Path(__file__).parent / "FAIL").exists():
                raise RuntimeError("import-time failure")


            @plugin("flaky")
            class Flaky:
                pass
            """,
        )
        project.build()
        (project.root / "flaky" / "FAIL").write_text("")
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        with pytest.raises(RuntimeError, match=r"^import-time failure") as info:
            registry.create_plugin("flaky")
        where = project.location("flaky.service", '@plugin("flaky"')
        assert info.value.__notes__ == [
            f"mreg-di: raised while importing module `flaky.service` for plugin `flaky` ({where})"
        ]


class TestLoaderUnit:
    def test_runtime_objects(self) -> None:
        """Objects added at run time are returned without any file check or import."""
        manifest = Manifest.build([], files={}, order={}, generator="t")
        loader = Loader(manifest)
        record = PluginRecord(PluginSpec("inline"), "nowhere.at.all", "Thing")
        loader.add("inline", dict)
        assert loader.loaded("inline")
        assert loader.load(record) is dict
        loader.discard("inline")
        assert not loader.loaded("inline")

    def test_sha256_of(self) -> None:
        """sha256_of is the lowercase hex digest the manifest records."""
        assert sha256_of(b"abc") == hashlib.sha256(b"abc").hexdigest()
