"""Run the ```python blocks of every docs/*.md page, in order, as a reader would.

Each page runs in a fresh module (so classes defined in it have a real ``__module__``), with the
repository's ``src`` and ``codegen`` importable, in an empty temporary directory as the current
directory. Blocks run one after another in the same module, so a later block sees what an earlier
one defined. A block preceded by ``<!-- docs-test: skip -->`` (blank lines between allowed) is
shown to readers but not run; blocks tagged ``text``, ``console`` or anything else never run.
Top-level ``await`` is allowed.

A failure names the page and the line of the block in the traceback: the code is compiled with the
page as its file name and its own line numbers.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
IMPORT_ROOTS = [REPO / "src", REPO / "codegen"]
SKIP_MARKER = "<!-- docs-test: skip -->"

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,})(?P<info>[^`]*)$")
_RUNNABLE = frozenset({"python", "py", "python3"})


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    line: int  # 1-based line of the block's first code line
    language: str
    source: str
    skipped: bool


def blocks_of(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, with its language and skip marker.

    Example:
        >>> [b.language for b in blocks_of("```python\\nx = 1\\n```\\n```text\\nhi\\n```\\n")]
        ['python', 'text']
    """
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, ticks = opening.group("indent"), opening.group("ticks")
        language = (opening.group("info").strip().split() or [""])[0].lower()
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(rf"^\s*{ticks}\s*$", lines[end]):
            line = lines[end]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            end += 1
        previous = next(
            (lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), ""
        )
        found.append(Block(index + 2, language, "\n".join(body) + "\n", previous == SKIP_MARKER))
        index = end + 1
    return found


def _runnable(page: Path) -> list[Block]:
    return [
        block
        for block in blocks_of(page.read_text(encoding="utf-8"))
        if block.language in _RUNNABLE and not block.skipped
    ]


PAGES = sorted(page for page in DOCS.glob("*.md") if _runnable(page))


def _run_block(block: Block, page: Path, module: types.ModuleType) -> None:
    # Pad so that the code's line numbers are the page's line numbers.
    source = "\n" * (block.line - 1) + block.source
    code = compile(source, str(page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    try:
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(eval(code, module.__dict__))
        else:
            exec(code, module.__dict__)
    except BaseException as exc:
        shown = page.relative_to(REPO) if page.is_relative_to(REPO) else page
        exc.add_note(f"in the ```python block at {shown}:{block.line}")
        raise


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every runnable ```python block of the page runs, in order, without raising."""
    monkeypatch.chdir(tmp_path)
    for root in reversed(IMPORT_ROOTS):
        monkeypatch.syspath_prepend(str(root))
    # Child processes a page starts (mreg-codegen, say) import the same packages.
    inherited = os.environ.get("PYTHONPATH")
    roots = [str(root) for root in IMPORT_ROOTS] + ([inherited] if inherited else [])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(roots))
    name = "docs_" + re.sub(r"\W", "_", page.stem)
    module = types.ModuleType(name)
    module.__file__ = str(tmp_path / f"{name}.py")
    before = set(sys.modules)
    sys.modules[name] = module
    try:
        for block in _runnable(page):
            _run_block(block, page, module)
    finally:
        # Forget the page's module and whatever it imported from its own directory, so the
        # next page (and test) starts clean; packages imported from elsewhere stay loaded.
        for loaded in set(sys.modules) - before:
            origin = getattr(sys.modules[loaded], "__file__", None) or ""
            if loaded == name or origin.startswith(str(tmp_path)):
                del sys.modules[loaded]


class TestBlocksOf:
    def test_finds_languages_lines_and_skip_markers(self) -> None:
        """Blocks carry their language, first code line and whether they are skipped."""
        text = (
            "# Title\n"
            "```python\n"
            "a = 1\n"
            "```\n"
            "<!-- docs-test: skip -->\n"
            "\n"
            "```python\n"
            "b = 2\n"
            "```\n"
            "```console\n"
            "$ ls\n"
            "```\n"
        )
        assert blocks_of(text) == [
            Block(3, "python", "a = 1\n", False),
            Block(8, "python", "b = 2\n", True),
            Block(11, "console", "$ ls\n", False),
        ]

    def test_dedents_blocks_inside_list_items(self) -> None:
        """An indented fence's code loses the fence's indentation."""
        text = "1. Step:\n\n   ```python\n   x = [\n       1,\n   ]\n   ```\n"
        assert blocks_of(text) == [Block(4, "python", "x = [\n    1,\n]\n", False)]

    def test_a_marker_before_another_block_does_not_skip_this_one(self) -> None:
        """Only the marker directly before a block (blank lines aside) skips it."""
        text = "<!-- docs-test: skip -->\n```text\nx\n```\n```python\ny = 1\n```\n"
        assert [b.skipped for b in blocks_of(text)] == [True, False]

    def test_runs_blocks_with_page_line_numbers(self, tmp_path: Path) -> None:
        """A failing block's traceback points at the page and the line in it."""
        page = tmp_path / "page.md"
        page.write_text("intro\n\n```python\nx = 1\nraise ValueError(x)\n```\n")
        [block] = _runnable(page)
        module = types.ModuleType("docs_page")
        note = f"in the ```python block at {page}:4"
        with pytest.raises(ValueError, match=f"^1\n{re.escape(note)}$") as raised:
            _run_block(block, page, module)
        assert (raised.traceback[-1].path, raised.traceback[-1].lineno + 1) == (page, 5)
