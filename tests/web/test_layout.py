"""web/ shows its parts (issue 7): each audience's pages import only ``web.common`` (and the
domain and read models), never another audience's package; what is shared never imports pages
or the API; and no module grows past the size a reader takes in at once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
AUDIENCES = sorted(p.name for p in (WEB / "pages").iterdir() if (p / "__init__.py").exists())
MAX_LINES = 420


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("audience", AUDIENCES)
def test_an_audience_imports_no_other_audiences_pages(audience: str) -> None:
    others = [f"web.pages.{a}" for a in AUDIENCES if a != audience]
    for path in sorted((WEB / "pages" / audience).rglob("*.py")):
        wrong = {m for m in imported_modules(path) if any(m.startswith(o) for o in others)}
        assert not wrong, f"{path.relative_to(WEB)} imports {sorted(wrong)}"


def test_what_is_shared_imports_no_pages_and_no_api() -> None:
    for path in sorted((WEB / "common").rglob("*.py")):
        wrong = {m for m in imported_modules(path) if m.startswith(("web.pages", "web.api"))}
        assert not wrong, f"{path.relative_to(WEB)} imports {sorted(wrong)}"


def test_no_module_of_web_is_longer_than_a_reader_takes_in() -> None:
    long = {
        str(path.relative_to(WEB)): n
        for path in sorted(WEB.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long
