"""The core never pulls in Discord, stays light to import, and is entered by one door."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import index

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("faiss", "numpy", "torch", "sentence_transformers", "discord")


def test_importing_the_core_does_not_import_discord():
    code = (
        "import sys, index, index.answering.engine, index.answering.answer, index.answering.search\n"
        "import index.store.disk\n"
        "assert 'discord' not in sys.modules, 'discord imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_does_not_load_torch():
    code = "import sys, index\nassert 'torch' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_loads_nothing_heavy():
    code = f"import sys, index\nprint([m for m in {HEAVY!r} if m in sys.modules])\n"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_the_settings_and_errors_load_without_the_engine():
    # bot/launch.py reads .env through the package before it picks the bot or the console
    code = (
        "import sys\nfrom index import ConfigError, CitebotError, load_env\n"
        f"core = ('index.answering.engine', 'index.store.disk')\n"
        f"print([m for m in {HEAVY!r} + core if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", index.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(index, name) is not None


def test_dir_lists_every_exported_name():
    assert set(index.__all__) <= set(dir(index))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        index.no_such_name  # noqa: B018


def test_every_error_of_the_core_is_a_citebot_error():
    errors = [getattr(index, n) for n in index.__all__ if n.endswith("Error") or n.startswith("Index")]
    errors = [e for e in errors if isinstance(e, type) and issubclass(e, Exception)]
    assert len(errors) >= 8
    assert all(issubclass(e, index.CitebotError) for e in errors)


def _index_imports(path: Path) -> list[str]:
    """Every import of an index submodule in ``path``, functions' own included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("index."):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.ImportFrom) and node.module == "index":
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}: from index import {a.name}"
                for a in node.names
                if a.name not in index.__all__
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}: import {a.name}"
                for a in node.names
                if a.name.startswith("index")
            ]
    return found


def test_the_bot_enters_the_core_only_through_the_package():
    files = sorted((ROOT / "bot").rglob("*.py"))
    assert len(files) > 10
    assert [line for f in files for line in _index_imports(f)] == []
