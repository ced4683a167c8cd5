"""The package as installed: every import of it resolves, and the layers import only downwards."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> dict[str, Path]:
    """Every module of the installed package, by name, with its file in the checkout: the
    packages pyproject.toml lists, each in the folder its package-dir mapping names."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping, found = setup["package-dir"], {}
    for package in setup["packages"]:
        base = max((p for p in mapping if package == p or package.startswith(p + ".")), key=len)
        folder = ROOT / mapping[base] / package[len(base):].lstrip(".").replace(".", "/")
        for path in folder.glob("*.py"):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the names it imports (``from m import n`` gives ``m.n`` when that is a module, else ``m``)."""
    modules, graph = _modules(), {}
    for name, path in modules.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                                for a in node.names)
        graph[name] = imported
    return graph


def test_every_import_of_the_package_resolves_to_one_of_its_modules():
    modules, graph = _modules(), import_graph()
    assert {"verbatim", "verbatim.corpus", "verbatim.retrieval.engine", "verbatim.tui.cli"} <= set(modules)
    unresolved = {(who, name) for who, names in graph.items() for name in names
                  if name.split(".")[0] == "verbatim" and name not in modules}
    assert not unresolved


def test_corpus_and_retrieval_never_import_the_chat_or_textual():
    for who, names in import_graph().items():
        parts = who.split(".")
        top = parts[1] if len(parts) > 1 else None
        if top in ("corpus", "retrieval"):
            assert not {n for n in names if n.split(".")[0] in ("textual", "rich") or n.startswith("verbatim.tui")}, who
        if top == "corpus":
            assert not {n for n in names if n.startswith("verbatim.retrieval")}, who


def test_the_package_imported_is_the_installed_one_without_the_checkout_on_its_path():
    import verbatim
    import verbatim.retrieval.engine

    assert ROOT not in {Path(p).resolve() for p in verbatim.__path__}  # no checkout hook
    assert Path(verbatim.retrieval.engine.__file__).resolve() == _modules()["verbatim.retrieval.engine"].resolve() \
        or "site-packages" in verbatim.retrieval.engine.__file__


def test_the_checkout_lays_the_package_out_as_installed():
    """verbatim/ links each subpackage's folder where the package-dir mapping installs it, so
    static tools (mypy, import graphs) read the checkout as the installed package."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for package, folder in setup["package-dir"].items():
        if package != "verbatim":
            link = ROOT / "verbatim" / package.split(".", 1)[1]
            assert link.is_symlink() and link.resolve() == (ROOT / folder).resolve(), package


def test_the_import_contracts_hold():
    """import-linter's contracts in pyproject.toml, over the package as installed: the chat,
    Textual and Rich stay out of corpus and retrieval, and training out of answering."""
    lint = pytest.importorskip("importlinter.cli", reason='import-linter is in the test extra: pip install ".[test]"')
    assert lint.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
