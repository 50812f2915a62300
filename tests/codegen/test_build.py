"""Tests for mreg_codegen._build: scan_project, the cache across runs, worker isolation.

What the cache saves is observed through ScanStats (how many files were parsed, whether the
graph outcome was reused) and, in fresh interpreters, through sys.modules. Worker isolation is
tested with a real native crash of libcst's parser: a child whose stack is too small for a
deeply nested (but otherwise valid) expression.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from trees import ACME, subprocess_env, write_tree

from mreg_codegen._build import ScanOptions, ScanReport, ScanTask, scan_in_worker, scan_project
from mreg_codegen._nesting import MAX_BRACKET_DEPTH
from mreg_di._manifest import Manifest


def scan(root: Path, **options: object) -> ScanReport:
    return scan_project(ScanOptions([root / "src"], root / "m.json", cwd=root, **options))


def write(report: ScanReport) -> None:
    assert report.text is not None, [d.render() for d in report.diagnostics]
    report.output.write_text(report.text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, ACME)


class TestStats:
    def test_cold_scan(self, project: Path) -> None:
        """A cold scan parses the files that mention mreg_di and only hashes the others."""
        report = scan(project)
        stats = report.stats
        assert (stats.files, stats.parsed, stats.prefiltered, stats.cached) == (6, 4, 2, 0)
        assert (stats.plugins, stats.crashed, stats.graph_cached) == (4, 0, False)
        assert report.ok
        assert not report.up_to_date

    def test_text_is_what_manifest_build_writes(self, project: Path) -> None:
        """The text assembled from records' JSON is exactly Manifest.build(...).dumps()."""
        report = scan(project)
        assert report.text is not None
        loaded = Manifest.from_text(report.text)
        built = Manifest.build(
            loaded.records(),
            files=loaded.files,
            order=loaded.order,
            generator="mreg-codegen 0.1.0",
        )
        assert built.dumps() == report.text

    def test_no_prefilter(self, project: Path) -> None:
        """--no-prefilter parses every file."""
        stats = scan(project, prefilter=False, use_cache=False).stats
        assert (stats.parsed, stats.prefiltered) == (6, 0)

    def test_warm_rescan_parses_nothing(self, project: Path) -> None:
        """An unchanged tree is answered from the cache: no parse, no graph validation."""
        write(scan(project))
        report = scan(project)
        assert (report.stats.scanned, report.stats.cached, report.stats.graph_cached) == (
            0,
            6,
            True,
        )
        assert report.up_to_date
        assert report.stats.plugins == 4

    def test_touch_rehashes_without_parsing(self, project: Path) -> None:
        """A new mtime with the same content is re-hashed, not parsed."""
        write(scan(project))
        os.utime(project / "src" / "acme" / "storage.py", ns=(10**18, 10**18))
        report = scan(project)
        assert (report.stats.scanned, report.stats.cached, report.up_to_date) == (0, 6, True)

    def test_edit_rescans_just_that_file(self, project: Path) -> None:
        """Changing one file parses that file only; the manifest follows the change."""
        write(scan(project))
        storage = project / "src" / "acme" / "storage.py"
        storage.write_text(storage.read_text().replace('"1.2.0"', '"1.3.0"'))
        report = scan(project)
        assert (report.stats.parsed, report.stats.cached, report.stats.graph_cached) == (
            1,
            5,
            False,
        )
        assert not report.up_to_date
        write(report)
        assert Manifest.load(project / "m.json").record("memory-storage").spec.version == "1.3.0"

    def test_edit_without_declarations_reuses_the_graph(self, project: Path) -> None:
        """Editing a file that declares nothing re-parses it but keeps graph and manifest."""
        write(scan(project))
        interfaces = project / "src" / "acme" / "interfaces.py"
        interfaces.write_text(interfaces.read_text() + "\n# a comment\n")
        report = scan(project)
        assert (report.stats.scanned, report.stats.graph_cached, report.up_to_date) == (
            1,
            True,
            True,
        )

    def test_comment_in_a_plugin_file_reuses_the_graph(self, project: Path) -> None:
        """A comment appended to a plugin's file changes its hash in the manifest, not the graph."""
        write(scan(project))
        storage = project / "src" / "acme" / "storage.py"
        storage.write_text(storage.read_text() + "# a comment\n")
        report = scan(project)
        assert (report.stats.parsed, report.stats.graph_cached, report.up_to_date) == (
            1,
            True,
            False,
        )
        write(report)
        files = Manifest.load(project / "m.json").files
        assert files["src/acme/storage.py"] == hashlib.sha256(storage.read_bytes()).hexdigest()

    def test_deleted_manifest_is_rebuilt_from_the_cache(self, project: Path) -> None:
        """A missing manifest with unchanged sources is assembled again without parsing."""
        write(scan(project))
        before = (project / "m.json").read_bytes()
        (project / "m.json").unlink()
        report = scan(project)
        assert (report.stats.scanned, report.stats.graph_cached) == (0, True)
        assert report.text is not None
        assert report.text.encode() == before

    def test_cached_errors_are_reported_again(self, project: Path) -> None:
        """Diagnostics are cached with their files: a warm run reports the same ones."""
        (project / "src" / "acme" / "storage.py").unlink()
        first = scan(project)
        second = scan(project)
        assert second.stats.scanned == 0
        assert second.diagnostics == first.diagnostics
        assert [d.code for d in second.diagnostics] == ["missing-binding", "missing-binding"]
        assert second.text is None

    def test_cached_diagnostics_follow_the_cwd(self, project: Path) -> None:
        """A cached diagnostic is shown with the path as seen from the current cwd."""
        write_tree(
            project,
            {"src/acme/bad.py": "from mreg_di import plugin\n\n@plugin()\nclass Bad: ...\n"},
        )
        cache = project / "cache"
        scan(project, cache_dir=cache)
        report = scan_project(
            ScanOptions([project / "src"], project / "m.json", cwd=project / "src", cache_dir=cache)
        )
        assert report.stats.scanned == 0
        assert [(d.path, d.code) for d in report.diagnostics] == [("acme/bad.py", "missing-name")]

    def test_jobs_do_not_change_the_text(self, project: Path) -> None:
        """The manifest text is the same with one worker or three."""
        texts = {scan(project, jobs=jobs, use_cache=False).text for jobs in (1, 3)}
        assert len(texts) == 1


class TestCacheRecovery:
    def cache_files(self, project: Path) -> list[Path]:
        return sorted((project / ".mreg-cache").iterdir())

    def test_missing_records_file(self, project: Path) -> None:
        """A records file gone missing gives a warning and a full, correct scan."""
        write(scan(project))
        before = (project / "m.json").read_bytes()
        (project / "m.json").unlink()
        [_, records] = self.cache_files(project)
        records.unlink()
        report = scan(project)
        assert [(d.code, d.severity) for d in report.diagnostics] == [("cache-ignored", "warning")]
        assert report.diagnostics[0].message.startswith(
            "the scan cache is corrupt (cannot read the cached records: "
        )
        assert report.stats.parsed == 4
        assert report.text is not None
        assert report.text.encode() == before

    def test_tampered_record(self, project: Path) -> None:
        """A cached record the manifest rejects gives a warning and a full, correct scan."""
        write(scan(project))
        before = (project / "m.json").read_bytes()
        (project / "m.json").unlink()
        [_, records] = self.cache_files(project)
        data = json.loads(records.read_text())
        for entries in data["files"].values():
            for record in entries:
                record["version"] = "not a version"
        records.write_text(json.dumps(data))
        report = scan(project)
        assert [d.code for d in report.diagnostics] == ["cache-ignored"]
        assert "$.plugins[0].version: version 'not a version' is not a valid PEP 440" in (
            report.diagnostics[0].message
        )
        assert report.text is not None
        assert report.text.encode() == before

    def test_cache_of_another_generator_is_replaced_silently(self, project: Path) -> None:
        """A cache from another mreg-codegen is ignored without a warning and rewritten."""
        scan(project)
        [index, _] = self.cache_files(project)
        data = json.loads(index.read_text())
        data["fingerprint"] = "another version"
        index.write_text(json.dumps(data))
        report = scan(project)
        assert (report.diagnostics, report.stats.parsed) == ((), 4)
        assert scan(project).stats.scanned == 0

    def test_unwritable_cache_dir(self, project: Path) -> None:
        """A cache that cannot be written is a warning; the scan still succeeds."""
        (project / "blocked").write_text("a file, not a directory")
        report = scan(project, cache_dir=project / "blocked" / "cache")
        assert report.ok
        assert [(d.code, d.message) for d in report.diagnostics] == [
            (
                "cache-ignored",
                "cannot write the scan cache: `blocked` is a file, not a directory",
            )
        ]

    def test_cache_dir_name_too_long(self, project: Path) -> None:
        """A cache directory the file system refuses warns with its reason; it does not crash."""
        report = scan(project, cache_dir=project / ("c" * 300))
        assert report.ok
        assert [(d.code, d.message) for d in report.diagnostics] == [
            ("cache-ignored", "cannot read the scan cache: File name too long"),
            ("cache-ignored", "cannot write the scan cache: File name too long"),
        ]


class TestAcrossFiles:
    def test_duplicate_names(self, project: Path) -> None:
        """Two plugins with one name: the later is reported, naming both file:line."""
        write_tree(
            project,
            {
                "src/acme/zzz.py": """\
                    from mreg_di import plugin


                    @plugin("gzip")
                    class OtherGzip:
                        pass
                    """
            },
        )
        report = scan(project)
        assert report.text is None
        assert "\n\n".join(d.render() for d in report.diagnostics) == (
            "src/acme/zzz.py:5:1: error: plugin name `gzip` is declared twice: at "
            "src/acme/compression.py:7 (`acme.compression.Gzip`) and at src/acme/zzz.py:5 "
            "(`acme.zzz.OtherGzip`) [duplicate-name]\n"
            "    class OtherGzip:\n"
            "    ^\n"
            "Hint: plugin names must be unique in a manifest; rename one of them"
        )

    def test_unimportable_module(self, project: Path) -> None:
        """A declaration in a file whose module name cannot be imported is an error."""
        write_tree(
            project,
            {
                "src/acme/my-plugins.py": """\
                    from mreg_di import plugin


                    @plugin("extra")
                    class Extra:
                        pass
                    """
            },
        )
        report = scan(project)
        assert report.text is None
        assert [d.render() for d in report.diagnostics] == [
            "src/acme/my-plugins.py:5:1: error: plugin `extra` is declared in "
            "src/acme/my-plugins.py, whose module name 'acme.my-plugins' cannot be imported "
            "[unimportable-module]\n"
            "    class Extra:\n"
            "    ^\n"
            "Hint: rename the file or directory to a valid Python identifier, or pass the right "
            "import root as SRC"
        ]


class TestOddFileNames:
    @pytest.mark.skipif(sys.platform != "linux", reason="needs a file system taking any bytes")
    def test_name_that_is_not_utf8(self, project: Path) -> None:
        """A file name that is not UTF-8 is scanned, reported and cached like any other."""
        name = os.path.join(os.fsencode(project / "src" / "acme"), b"caf\xe9.py")
        with open(name, "wb") as stream:
            stream.write(b'from mreg_di import plugin\n\n@plugin("cafe")\nclass Cafe: ...\n')
        first = scan(project)
        assert [(d.path, d.code) for d in first.diagnostics] == [
            ("src/acme/caf\udce9.py", "unimportable-module")
        ]
        second = scan(project)
        assert second.stats.scanned == 0
        assert second.diagnostics == first.diagnostics


class TestWorkerResults:
    def test_unreadable_file(self, tmp_path: Path) -> None:
        """A file that cannot be read becomes a diagnostic, not an exception."""
        task = ScanTask(str(tmp_path / "gone.py"), "gone", "gone.py", "gone.py", False, True)
        result = scan_in_worker(task)
        assert result.sha256 == ""
        assert [(d["code"], d["message"]) for d in result.diagnostics] == [
            ("unreadable-file", "cannot read the file: No such file or directory")
        ]


def run_child(code: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


LAZY_PROBE = """\
    import sys
    from mreg_codegen.__main__ import main

    code = main(["scan", "src", "--output", "m.json"])
    heavy = ("libcst", "networkx", "typeguard", "dependency_injector")
    print(code, sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy}))
    """


class TestImportsInTheParent:
    def test_libcst_only_in_workers_and_nothing_heavy_when_warm(self, project: Path) -> None:
        """The parent never imports libcst; a warm run does not import networkx either."""
        cold = run_child(LAZY_PROBE, project)
        assert cold.stdout.splitlines()[-1] == "0 ['networkx']", cold.stderr
        warm = run_child(LAZY_PROBE, project)
        assert warm.stdout.splitlines() == [
            "m.json is up to date (4 plugins from 6 files: 0 scanned, 6 cached)",
            "0 []",
        ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_STACK semantics")
class TestParserCrash:
    def test_native_crash_becomes_a_diagnostic(self, project: Path) -> None:
        """A file that crashes libcst's native parser is reported; every other file is scanned."""
        depth = MAX_BRACKET_DEPTH - 10  # allowed by the scanner, too deep for a 256 KB stack
        nested = "(" * depth + "1" + ")" * depth
        write_tree(project, {"src/acme/deep.py": f"from mreg_di import plugin\n\nX = {nested}\n"})

        def small_stack() -> None:
            resource.setrlimit(resource.RLIMIT_STACK, (256 * 1024, resource.RLIM_INFINITY))

        result = subprocess.run(
            [sys.executable, "-m", "mreg_codegen", "scan", "src", "-o", "m.json", "-j", "2",
             "--format", "json", "--no-cache"],
            cwd=project,
            env=subprocess_env(),
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=small_stack,
        )  # fmt: skip
        assert (result.returncode, result.stdout) == (1, "")
        [crash] = json.loads(result.stderr)
        assert (crash["path"], crash["line"], crash["code"]) == (
            "src/acme/deep.py",
            0,
            "parser-crash",
        )
        assert crash["message"] == (
            "the parser crashed while reading this file (worker killed by signal SIGSEGV); "
            "no declaration in it was scanned"
        )
        # The other files were scanned: without the bad file the same run succeeds.
        (project / "src" / "acme" / "deep.py").unlink()
        again = subprocess.run(
            [sys.executable, "-m", "mreg_codegen", "scan", "src", "-o", "m.json", "-j", "2"],
            cwd=project, env=subprocess_env(), capture_output=True, text=True, check=False,
            preexec_fn=small_stack,
        )  # fmt: skip
        assert (again.returncode, again.stderr) == (0, "")


def stdlib_sample(limit_every: int = 12) -> list[Path]:
    """Every Nth standard-library file, plus the files known to be hard to read."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        p for p in stdlib.rglob("*.py") if "site-packages" not in p.relative_to(stdlib).parts
    )
    nasty = [
        p
        for p in files
        if any(
            marker in p.relative_to(stdlib).as_posix()
            for marker in ("lib2to3/tests/data/", "tokenizedata/", "encoded_modules/", "badsyntax")
        )
    ]
    return sorted({*files[::limit_every], *nasty})


class TestRobustness:
    def test_standard_library_sample(self, tmp_path: Path) -> None:
        """Scanning a sample of the standard library (no pre-filter, 2 jobs) raises nothing."""
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        sample = stdlib_sample()
        assert len(sample) > 150
        root = tmp_path / "lib"
        for path in sample:
            target = root / path.relative_to(stdlib)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        report = scan_project(
            ScanOptions(
                [root], tmp_path / "m.json", jobs=2, prefilter=False, use_cache=False, cwd=tmp_path
            )
        )
        stats = report.stats
        assert stats.files == len(sample)
        assert (stats.parsed, stats.crashed, stats.prefiltered) == (len(sample), 0, 0)
        codes = {d.code for d in report.diagnostics}
        assert "internal-error" not in codes
        assert codes <= {"syntax-error", "undecodable-source", "parse-error", "root-is-package"}
        # The lib2to3 grammar test file is Python 2 and must be reported, not skipped.
        assert any(d.path.endswith("py2_test_grammar.py") for d in report.diagnostics)
