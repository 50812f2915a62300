"""The public API's types as users' type checkers see them (tests/typing/, checked by mypy)."""

from __future__ import annotations

from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

TYPING = Path(__file__).parent / "typing"


@pytest.mark.parametrize("path", sorted(TYPING.glob("*.py")), ids=lambda p: p.name)
def test_types_are_as_documented(path: Path) -> None:
    """mypy --strict accepts the file: every assert_type holds, every ignore is still needed."""
    out, err, status = api.run(
        [
            "--strict",
            "--warn-unused-ignores",
            "--no-incremental",
            "--cache-dir=/dev/null",
            str(path),
        ]
    )
    assert status == 0, out + err
