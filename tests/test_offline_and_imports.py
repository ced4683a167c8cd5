"""The core runs without Textual, without NLTK data and without the network."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest
from conftest import ROOT, NetworkBlocked, cli_env, verbatim_command


def test_sockets_are_blocked_in_tests():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 80))


def test_nltk_has_no_data_here(empty_nltk_data):
    import nltk

    with pytest.raises(LookupError):
        nltk.data.find("tokenizers/punkt_tab")


@pytest.mark.subprocess
def test_core_and_one_shot_path_import_no_textual(empty_nltk_data):
    code = (
        "import sys, verbatim, verbatim.corpus, verbatim.retrieval.engine, verbatim.tui.cli, verbatim.tui.output\n"
        "from verbatim.retrieval.engine import Engine\n"
        "Engine.load().ask('How old is Liang Wenfeng?')\n"
        "loaded = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data), timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.subprocess
def test_one_shot_command_imports_no_textual(empty_nltk_data, tmp_path):
    proc = subprocess.run(
        [*verbatim_command(), "--ask", "What is CATL?"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=cli_env(empty_nltk_data, PYTHONVERBOSE="1"),
    )
    assert proc.returncode == 0
    assert "import 'textual" not in proc.stderr


@pytest.mark.subprocess
def test_markdown_parser_is_imported_only_for_markdown_files(empty_nltk_data, tmp_path):
    code = (
        "import sys\n"
        "from verbatim.corpus.reader import read_article\n"
        "from pathlib import Path\n"
        "root = Path(sys.argv[1])\n"
        "read_article(root / 'notes.txt', root)\n"
        "read_article(root / 'page.html', root)\n"
        "assert 'markdown_it' not in sys.modules\n"
        "article, _ = read_article(root / 'guide.md', root)\n"
        "assert 'markdown_it' in sys.modules and article.units[0].text == 'Guide'\n"
    )
    (tmp_path / "notes.txt").write_text("Plain words here.\n", encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>Some words.</p>", encoding="utf-8")
    (tmp_path / "guide.md").write_text("# Guide\n\nWords.\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data), timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.subprocess
def test_answering_plain_text_imports_no_other_reader_and_no_shard_machinery(empty_nltk_data, tmp_path):
    """What the one-shot answer does not need is not imported: the readers of other formats
    (each read on first use) and, for a corpus with one saved index, the sharded index's code."""
    code = (
        "import sys\n"
        "from verbatim.retrieval.engine import Engine\n"
        "result = Engine.load().ask('How old is Liang Wenfeng?')\n"
        "assert result.answered\n"
        "unneeded = ['verbatim.corpus.markdown', 'verbatim.corpus.rst', 'verbatim.corpus.html',\n"
        "            'verbatim.retrieval.shards.open', 'verbatim.retrieval.shards.layout']\n"
        "loaded = [m for m in unneeded if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data, XDG_CACHE_HOME=str(tmp_path)), timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.subprocess
def test_subprocesses_have_the_network_blocked(empty_nltk_data):
    code = "import socket\nsocket.create_connection(('example.com', 80))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=cli_env(empty_nltk_data), timeout=60)
    assert proc.returncode != 0 and "NetworkBlocked" in proc.stderr


def _unshare_network() -> list[str] | None:
    """The prefix that runs a command without any network, if this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):  # as root, else in a user namespace
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return prefix
    return None


@pytest.mark.subprocess
def test_the_installed_command_works_where_the_network_is_unreachable(empty_nltk_data, tmp_path):
    prefix = _unshare_network()
    if prefix is None:
        pytest.skip("unshare -n is not permitted here (no user namespaces)")
    check = subprocess.run([*prefix, sys.executable, "-c",
                            "import socket; socket.create_connection(('1.1.1.1', 80), timeout=5)"],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode != 0 and "unreachable" in check.stderr.lower()
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(70):  # enough files to index with worker processes
        (folder / f"note{n}.txt").write_text(f"Ferry {n} leaves the harbour at {n % 12 + 1} o'clock.\n",
                                             encoding="utf-8")
    env = cli_env(empty_nltk_data, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env["PYTHONPATH"] = ""  # no test site hooks: the real command, only without a network
    bundled = subprocess.run([*prefix, *verbatim_command(), "--ask", "How old is Liang Wenfeng?"],
                             capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    assert "40-year-old Liang Wenfeng" in bundled.stdout
    own = subprocess.run([*prefix, *verbatim_command(), "--corpus", str(folder), "--ask",
                          "When does ferry 7 leave the harbour?"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert own.returncode == 0, own.stderr
    assert "Ferry 7 leaves the harbour at 8 o'clock." in own.stdout


# Libraries that talk HTTP, and the standard library's own clients.
HTTP_CLIENTS = ("requests", "httpx", "urllib3", "aiohttp", "httplib2", "pycurl", "http.client",
                "urllib.request")
WHO_IMPORTS = """
import sys
watched = {watched!r}
importers = {{}}


class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in watched and name not in importers:
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").startswith(
                    ("importlib", "_frozen_importlib")):
                frame = frame.f_back
            importers[name] = frame.f_globals.get("__name__") if frame else None
        return None


sys.meta_path.insert(0, Watch())
{body}
print(repr(importers))
"""


@pytest.mark.parametrize("body", [
    "from verbatim.tui.cli import main\nimport sys\nsys.argv = ['verbatim', '--ask', 'What is CATL?']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass",
    "import verbatim.tui.app, verbatim.tui.widgets, verbatim.tui.screens, verbatim.tui.export\n"
    "from verbatim.retrieval.engine import Engine\nEngine.load().ask('Who founded DeepSeek?')",
])
@pytest.mark.subprocess
def test_no_http_client_is_imported_by_verbatim(empty_nltk_data, body):
    """NLTK imports the standard library's http.client and urllib.request when it loads (for
    its downloader, which Verbatim never calls); nothing of Verbatim's own imports one."""
    import ast

    code = WHO_IMPORTS.format(watched=HTTP_CLIENTS, body=body)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=cli_env(empty_nltk_data))
    assert proc.returncode == 0, proc.stderr
    importers = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    third_party = [name for name in importers if "." not in name]
    assert not third_party, importers
    assert all(who and who.split(".")[0] in ("nltk", "http", "urllib") for who in importers.values()), importers


def test_verbatim_source_names_no_network_module():
    import ast

    network = {"socket", "ssl", "http", "urllib", "requests", "httpx", "urllib3", "aiohttp", "ftplib",
               "smtplib", "webbrowser"}
    # The Ray backend asks whether the cluster address the user named with --ray accepts a
    # connection before joining it (a cluster is reached over the network by design).
    allowed = {("on_ray.py", "socket")}
    for package in ("corpus", "retrieval", "tui"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    first = name.split(".")[0]
                    assert first not in network or (path.name, first) in allowed, f"{path.name} imports {name}"


def test_one_shot_path_over_a_sharded_index_imports_no_ray(empty_nltk_data, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):
        (corpus / f"doc{i}.txt").write_text(f"Report {i}\n\nThe harbour engine {i} was rebuilt in 200{i}.\n")
    code = (
        "import sys\n"
        "from verbatim.retrieval.engine import Engine\n"
        "Engine.load(sys.argv[1], index_dir=sys.argv[2], shards=2)\n"
        "engine = Engine.load(sys.argv[1], index_dir=sys.argv[2])\n"
        "assert engine.index.generation.count == 2\n"
        "engine.ask('When was the harbour engine rebuilt?')\n"
        "assert 'ray' not in sys.modules, 'ray imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(corpus), str(tmp_path / "idx")], capture_output=True,
                          text=True, timeout=120, env=cli_env(empty_nltk_data))
    assert proc.returncode == 0, proc.stderr
