"""The house keeps its floor plan: no import circles (imports inside functions count, those
under TYPE_CHECKING do not), a small root for bot/, every cog an extension, no casts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, known: set[str], root: Path = ROOT) -> set[str]:
    """The package's modules that ``path`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    here = module_name(path, root).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known} - {module_name(path, root)}


def circles(package: str, root: Path = ROOT) -> list[set[str]]:
    """The groups of modules that import each other, directly or around a loop."""
    files = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph = {name: imported(path, set(files), root) for name, path in files.items()}

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    reachable = {name: reach(name) for name in graph}
    groups = {
        frozenset({m for m in reachable[name] if name in reachable[m]})
        for name in graph
        if name in reachable[name]
    }
    return [set(group) for group in groups]


@pytest.mark.parametrize("package", ["bot", "index"])
def test_no_module_imports_one_that_imports_it_back(package):
    assert circles(package) == []


def test_the_checker_sees_a_circle_through_an_import_inside_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from pkg import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n"
    )
    assert circles("pkg", tmp_path) == [{"pkg.a", "pkg.b"}]


def test_bot_root_holds_at_most_13_modules():
    assert len(list((ROOT / "bot").glob("*.py"))) <= 13


def test_every_cog_is_an_extension_with_setup():
    for path in (ROOT / "bot" / "cogs").glob("*.py"):
        if path.name.startswith("_"):
            continue  # the package, and what cogs share (_answering.py), are not extensions
        tree = ast.parse(path.read_text(encoding="utf-8"))
        setups = [n for n in tree.body if isinstance(n, ast.AsyncFunctionDef) and n.name == "setup"]
        assert setups, f"{path.name} has no async def setup(bot)"


def test_no_casts_in_the_code():
    for package in ("bot", "index"):
        for path in (ROOT / package).rglob("*.py"):
            assert "type: ignore" not in path.read_text(encoding="utf-8"), path


def test_each_name_and_limit_is_said_once():
    """Issue 22, item 12: "sync" names the web's sync alone (the slash commands' is
    command_sync); Discord's limits live in render/card.py's LIMITS; the most passages one
    question pages to is the engine's MAX_K; settings are parsed in the config modules only."""
    bot_files = {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in (ROOT / "bot").rglob("*.py")
    }
    assert "bot/sync.py" not in bot_files and "bot/command_sync.py" in bot_files
    limit = re.compile(r"^[A-Z_]+ = [\d_]+\s*# Discord's limit", re.M)
    said = [name for name, text in bot_files.items() if limit.search(text) and name != "bot/render/card.py"]
    assert said == []
    assert not any("MAX_RESULTS" in text for text in bot_files.values())
    readers = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "index").rglob("*.py")
        if "environ.get(" in p.read_text(encoding="utf-8")
    ]
    # its cache folder (CITEBOT_CACHE, XDG), not a setting
    assert readers == ["index/words/background.py"], readers


def test_no_cog_reaches_into_another():
    """Issue 22, item 10: what the ways of asking share is one module the cogs import
    (bot/cogs/_answering.py), not a cog fetched with get_cog and five of its methods called."""
    for path in (ROOT / "bot" / "cogs").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert 'get_cog("Asking")' not in text and "from bot.cogs.asking import" not in text, path.name
