"""The shape of the code, checked like behaviour: where SQL may live, file sizes, a "why" on every module.

The import layers themselves are checked by import-linter (`lint-imports`, contracts in pyproject.toml);
these are the rules it cannot express.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("happykids", "tgemulator", "tgtext")
MAX_LINES = 400
QUERY_BUILDERS = {"select", "insert", "update", "delete", "func", "text", "and_", "or_", "exists", "case"}
SESSION_QUERIES = {"execute", "scalars", "scalar", "merge", "get", "add", "add_all", "delete", "stream"}


def modules(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def test_sql_lives_only_in_db():
    """Outside happykids/db nobody builds a query or runs one on a session: that is what repositories are for."""
    offenders = []
    for path in modules("happykids"):
        if "db" in path.relative_to(ROOT / "happykids").parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
                names = {alias.name for alias in node.names}
                if node.module.startswith("sqlalchemy.dialects") or names & QUERY_BUILDERS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {sorted(names)}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SESSION_QUERIES and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "session"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} session.{node.func.attr}()")
    assert not offenders, "SQL outside happykids/db:\n" + "\n".join(offenders)


def test_no_file_over_400_lines():
    too_long = [f"{p.relative_to(ROOT)}: {n}" for p in modules(*PACKAGES)
                if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES]
    assert not too_long, too_long


def test_every_module_says_why_it_exists():
    missing = [str(p.relative_to(ROOT)) for p in modules(*PACKAGES)
               if p.stat().st_size and not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert not missing, missing


def test_handlers_never_receive_the_whole_app():
    for path in modules("happykids"):
        part = path.relative_to(ROOT / "happykids").parts[0]
        if part in ("app", "cli", "demo", "__main__.py"):
            continue
        source = path.read_text(encoding="utf-8")
        assert "happykids.app" not in source, path
