"""The per-file static scanner: plugin declarations of one source file, never importing it.

`scan_source` decodes the bytes as Python does (PEP 263 coding line, BOM), refuses nesting that
would crash libcst's native parser (`_nesting`), parses once with libcst, walks the statements
to bind names and find decorated definitions (`_names`), reads each ``@plugin`` / ``@factory``
declaration whose decorator resolves to mreg-di's (`_declarations`), and computes the positions
of what it reports in one pass (`_positions`). It returns the records and every diagnostic of
the file, and never raises: whatever the bytes, problems come back as diagnostics.

Positions in records: ``line`` is the line of the ``class`` / ``def`` keyword, ``column`` the
column of the declaring decorator's ``@``; both are 1-based.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path

import attrs
import libcst as cst

from mreg_codegen._context import FileContext
from mreg_codegen._declarations import DECORATORS, RecordDraft, decorator_kind, read_declaration
from mreg_codegen._diagnostics import Diagnostic, diagnostic_at, source_line_at
from mreg_codegen._names import Definition, dotted_name, index_module
from mreg_codegen._nesting import find_excessive_nesting
from mreg_di._spec import PluginRecord

__all__ = ["FileScan", "may_declare", "scan_file", "scan_source"]

_log = logging.getLogger("mreg_codegen")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PARSER_POSITION = re.compile(r"^parser error: error at (\d+):(\d+): ")
_DEEP_HINT = (
    "split the expression into smaller ones; if the file declares no plugin, leave it out "
    "with --exclude"
)
_SYNTAX_HINT = "mreg-codegen reads every file that mentions mreg_di: it must be valid Python 3"
_DECODE_HINT = (
    "save the file as UTF-8, or declare its encoding in a comment on its first or second "
    "line, e.g. `# -*- coding: latin-1 -*-`"
)


def _records(value: Iterable[PluginRecord]) -> tuple[PluginRecord, ...]:
    return tuple(value)


def _diagnostics(value: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(value)


@attrs.frozen
class FileScan:
    """What scanning one file found. Picklable: it crosses process boundaries.

    Attributes:
        path: The file as it is displayed.
        rel_file: The file relative to the manifest's directory (POSIX), as records store it.
        module: The file's dotted module name.
        sha256: Hex digest of the file's bytes (empty when it could not be read).
        records: The file's declarations, in source order; a declaration with an error gives
            none.
        diagnostics: Every problem found, in source order.

    Example:
        >>> scan = scan_source(b"x = 1\\n", module="acme.x", path="src/acme/x.py",
        ...                    rel_file="src/acme/x.py")
        >>> scan.records, scan.diagnostics, scan.errors
        ((), (), 0)
    """

    path: str
    rel_file: str
    module: str
    sha256: str
    records: tuple[PluginRecord, ...] = attrs.field(converter=_records)
    diagnostics: tuple[Diagnostic, ...] = attrs.field(converter=_diagnostics)

    @property
    def errors(self) -> int:
        """How many of the diagnostics are errors."""
        return sum(1 for diagnostic in self.diagnostics if diagnostic.is_error)


def may_declare(source: bytes) -> bool:
    """Whether a file may declare a plugin: a cheap test on its bytes, before parsing.

    A declaration needs mreg-di's decorator, which needs an import naming ``mreg_di``; a file
    without those bytes cannot declare anything. (Modules inside the ``mreg_di`` package that
    import the decorators relatively are the one exception; they declare no plugins.)

    Example:
        >>> may_declare(b"from mreg_di import plugin\\n"), may_declare(b"import os\\n")
        (True, False)
    """
    return b"mreg_di" in source


def scan_file(
    file: Path, *, module: str, path: str, rel_file: str, is_package: bool | None = None
) -> FileScan:
    """Read and scan one file; an unreadable file gives a diagnostic, never an exception.

    Args:
        file: The file to read.
        module: Its dotted module name.
        path: How to display it.
        rel_file: Its path relative to the manifest's directory, in POSIX form.
        is_package: Whether it is a package's ``__init__``; by default, whether it is named
            ``__init__.py``.

    Example:
        >>> scan = scan_file(Path("/nonexistent/x.py"), module="x", path="x.py", rel_file="x.py")
        >>> [d.code for d in scan.diagnostics]
        ['unreadable-file']
    """
    if is_package is None:
        is_package = file.name == "__init__.py"
    try:
        source = file.read_bytes()
    except OSError as exc:
        diagnostic = diagnostic_at(
            path,
            None,
            0,
            0,
            "unreadable-file",
            f"cannot read the file: {exc.strerror or exc}",
            "fix its permissions or leave it out with --exclude",
        )
        return FileScan(path, rel_file, module, "", (), (diagnostic,))
    return scan_source(source, module=module, path=path, rel_file=rel_file, is_package=is_package)


def scan_source(
    source: bytes, *, module: str, path: str, rel_file: str, is_package: bool = False
) -> FileScan:
    """Find the plugin declarations in one file's bytes, without importing or running it.

    Args:
        source: The file's bytes.
        module: Its dotted module name (relative imports are resolved against it).
        path: How to display it in diagnostics.
        rel_file: Its path relative to the manifest's directory, stored in records.
        is_package: Whether it is a package's ``__init__.py``.

    Returns:
        The records and diagnostics of the file. Never raises for any input bytes: an
        unexpected failure becomes an ``internal-error`` diagnostic.

    Example:
        >>> source = b'''from mreg_di import plugin
        ... @plugin("gzip", version="1.0")
        ... class Gzip:
        ...     \"\"\"Compress with gzip.\"\"\"
        ... '''
        >>> scan = scan_source(source, module="acme.gz", path="acme/gz.py", rel_file="acme/gz.py")
        >>> record = scan.records[0]
        >>> record.target, record.spec.version, record.spec.description, record.location
        ('acme.gz:Gzip', '1.0', 'Compress with gzip.', 'acme/gz.py:3')
    """
    digest = hashlib.sha256(source).hexdigest()
    try:
        records, diagnostics = _Scan(source, module, path, rel_file, is_package).run()
    except RecursionError:
        records, diagnostics = [], [_too_deep(path)]
    except Exception as exc:  # the contract: never raise, whatever the bytes
        _log.exception("mreg-codegen failed on %s", path, extra={"path": path})
        records = []
        diagnostics = [
            diagnostic_at(
                path,
                None,
                0,
                0,
                "internal-error",
                f"mreg-codegen failed on this file: {type(exc).__name__}: {exc}",
                "this is a bug in mreg-codegen; please report it with the file attached, "
                "and leave the file out with --exclude meanwhile",
            )
        ]
    return FileScan(path, rel_file, module, digest, records, diagnostics)


def _too_deep(path: str, source: str | None = None, line: int = 0, column: int = 0) -> Diagnostic:
    return diagnostic_at(
        path,
        source,
        line,
        column,
        "parse-error",
        "the file nests too deeply to be parsed safely",
        _DEEP_HINT,
    )


class _Scan:
    def __init__(
        self, source: bytes, module: str, path: str, rel_file: str, is_package: bool
    ) -> None:
        self.source = source
        self.module = module
        self.path = path
        self.rel_file = rel_file
        self.is_package = is_package

    def run(self) -> tuple[list[PluginRecord], list[Diagnostic]]:
        text = self.decode()
        if isinstance(text, Diagnostic):
            return [], [text]
        tree = self.parse(text)
        if isinstance(tree, Diagnostic):
            return [], [tree]
        index = index_module(tree, self.module, self.is_package)
        if not index.definitions:
            return [], []
        ctx = FileContext(self.path, text, self.module, index)
        drafts = [
            draft
            for definition in index.definitions
            for decorator in definition.node.decorators
            if (draft := self.declaration(ctx, definition, decorator)) is not None
        ]
        wanted: list[cst.CSTNode] = []
        for draft in drafts:
            wanted += [draft.definition.node.name, draft.decorator.decorator]
            wanted += [parameter.name for parameter in draft.parameters]
        positions = ctx.locate(tree, wanted)
        records = [self.record(draft, positions) for draft in drafts]
        return records, sorted(ctx.diagnostics(positions), key=Diagnostic.sort_key)

    def decode(self) -> str | Diagnostic:
        """The source as text, decoded as Python would."""
        encoding = "utf-8"
        declared_problem = ""
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(self.source).readline)
        except SyntaxError as exc:
            declared_problem = str(exc.msg)
        try:
            text = self.source.decode(encoding)
        except UnicodeDecodeError as exc:
            return self.undecodable(encoding, exc)
        if declared_problem:
            line = next((n for n, raw in enumerate(text.splitlines()[:2], 1) if "coding" in raw), 1)
            return diagnostic_at(
                self.path,
                text,
                line,
                1,
                "undecodable-source",
                f"the file's encoding declaration cannot be used ({declared_problem})",
                _DECODE_HINT,
            )
        return text

    def undecodable(self, encoding: str, exc: UnicodeDecodeError) -> Diagnostic:
        line_start = 0
        line = 1
        for match in _LINE_BREAK.finditer(self.source, 0, exc.start):
            line += 1
            line_start = match.end()
        end = _LINE_BREAK.search(self.source, exc.start)
        raw_line = self.source[line_start : end.start() if end else len(self.source)]
        before = self.source[line_start : exc.start].decode(encoding, errors="replace")
        shown = raw_line.decode(encoding, errors="replace")
        byte = self.source[exc.start : exc.start + 1].hex()
        column = len(before) + 1
        shown_line, start = source_line_at(shown, column)
        return Diagnostic(
            self.path,
            line,
            column,
            "undecodable-source",
            f"the file is not valid {encoding}: byte 0x{byte} at offset {exc.start} ({exc.reason})",
            _DECODE_HINT,
            source_line=shown_line,
            source_start=start,
        )

    def parse(self, text: str) -> cst.Module | Diagnostic:
        """The module, or the diagnostic saying why it cannot be parsed."""
        excess = find_excessive_nesting(text)
        if excess is not None:
            line, column = _line_and_column(text, excess.offset)
            return diagnostic_at(
                self.path,
                text,
                line,
                column,
                "parse-error",
                f"the file nests too deeply to be parsed safely ({excess.reason})",
                _DEEP_HINT,
            )
        try:
            return cst.parse_module(text)
        except cst.ParserSyntaxError as exc:
            return self.syntax_error(text, exc)
        except RecursionError:
            return _too_deep(self.path)
        except cst.CSTValidationError as exc:  # e.g. "Cannot concatenate string and bytes."
            return diagnostic_at(
                self.path,
                text,
                0,
                0,
                "syntax-error",
                f"invalid syntax: {str(exc).rstrip('.')}",
                _SYNTAX_HINT,
            )

    def syntax_error(self, text: str, exc: cst.ParserSyntaxError) -> Diagnostic:
        detail = exc.message
        line, column = exc.raw_line, exc.raw_column + 1
        match = _PARSER_POSITION.match(detail)
        if match:  # the parser's own position is more precise than raw_line/raw_column
            line, column = int(match.group(1)), int(match.group(2)) + 1
            detail = detail[match.end() :]
        else:
            detail = detail.removeprefix("tokenizer error: ")
        return diagnostic_at(
            self.path, text, line, column, "syntax-error", f"invalid syntax: {detail}", _SYNTAX_HINT
        )

    def declaration(
        self, ctx: FileContext, definition: Definition, decorator: cst.Decorator
    ) -> RecordDraft | None:
        kind = decorator_kind(definition, decorator)
        if kind is not None:
            return read_declaration(ctx, definition, decorator, kind)
        self.check_star_import(ctx, definition, decorator)
        return None

    def check_star_import(
        self, ctx: FileContext, definition: Definition, decorator: cst.Decorator
    ) -> None:
        """Warn when an unresolved ``@plugin`` may come from ``from mreg_di import *``."""
        expression = decorator.decorator
        callee = expression.func if isinstance(expression, cst.Call) else expression
        dotted = dotted_name(callee)
        stars = [m for m in ctx.index.star_imports if m in ("mreg_di", "mreg_di._decorators")]
        if dotted is None or not stars or definition.scope.candidates(dotted):
            return
        if f"{stars[0]}.{dotted}" not in DECORATORS:
            return
        ctx.report(
            expression,
            "star-import",
            f"`@{dotted}` on `{definition.qualname}` may be mreg-di's, imported with "
            f"`from {stars[0]} import *`, which mreg-codegen cannot see into, so it is not "
            "scanned",
            f"import it by name: `from mreg_di import {dotted}`",
            severity="warning",
        )

    def record(
        self, draft: RecordDraft, positions: dict[cst.CSTNode, tuple[int, int]]
    ) -> PluginRecord:
        line = positions.get(draft.definition.node.name, (0, 0))[0]
        column = positions.get(draft.decorator.decorator, (0, 0))[1]
        gap = draft.decorator.whitespace_after_at.value
        if column and "\n" not in gap and "\r" not in gap:
            column -= 1 + len(gap)  # back from the expression to its `@`
        parameters = [
            dataclasses.replace(p.spec, line=positions.get(p.name, (0, 0))[0])
            for p in draft.parameters
        ]
        return PluginRecord(
            spec=draft.spec,
            module=self.module,
            qualname=draft.definition.qualname,
            file=self.rel_file,
            line=line,
            column=column,
            parameters=parameters,
        )


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line, line_start = 1, 0
    for match in _TEXT_LINE_BREAK.finditer(text, 0, offset):
        line += 1
        line_start = match.end()
    return line, offset - line_start + 1
