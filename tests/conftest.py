"""Shared fixtures: no network, no NLTK data, the bundled engine, and a CLI runner."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_SITE = Path(__file__).resolve().parent / "offline"
EVAL = Path(__file__).resolve().parent / "eval"


# Modules whose tests take long (learned-reader floors, whole question sets, fuzzing):
# `pytest -m "not slow"` leaves them out.
SLOW_MODULES = frozenset({"test_fuzz.py", "test_reader_training.py", "test_evaluate.py"})


def pytest_collection_modifyitems(items):
    """Markers by what a test does: `tui` for the chat's tests, `subprocess` for those that
    run the real command (the `verbatim` fixture), `slow` for the slow modules."""
    for item in items:
        path = Path(str(item.fspath))
        if path.parent.name == "tui":
            item.add_marker(pytest.mark.tui)
        if "verbatim" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.subprocess)
        if path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt in the test process fails the test."""

    def blocked(*args, **kwargs):
        raise NetworkBlocked("network access attempted during tests")

    monkeypatch.setattr(socket.socket, "connect", blocked)
    monkeypatch.setattr(socket.socket, "connect_ex", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Saved indexes go to a folder of the test run, never to the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["XDG_CACHE_HOME"] = str(cache)
    return cache


@pytest.fixture(scope="session", autouse=True)
def private_data_and_config(tmp_path_factory):
    """The log and the configuration file live in folders of the test run, never the user's."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))
    os.environ.pop("VERBATIM_NO_LOG", None)


@pytest.fixture(autouse=True)
def private_state(monkeypatch, tmp_path):
    """What the chat remembers (the theme chosen) lives in a folder of each test, never the
    user's: a theme one test sets is not the next test's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture(scope="session", autouse=True)
def empty_nltk_data(tmp_path_factory):
    """NLTK finds no downloaded data: everything must work from what ships in code."""
    empty = tmp_path_factory.mktemp("nltk_data")
    os.environ["NLTK_DATA"] = str(empty)
    import nltk

    nltk.data.path[:] = [str(empty)]
    return empty


def read_folder(root: Path, catalog: dict[str, dict] | None = None) -> list:
    """Every usable article of a folder, read as the index reads them, in corpus order."""
    from verbatim.corpus.reader import corpus_listing, read_article

    listing, _ = corpus_listing(Path(root))
    found = (read_article(Path(path), Path(root), (catalog or {}).get(rel))[0] for path, rel in listing)
    return [article for article in found if article is not None]


@pytest.fixture(scope="session")
def engine():
    from verbatim.retrieval.engine import Engine

    return Engine.load()


@dataclass
class Run:
    code: int
    out: str
    err: str


def verbatim_command() -> list[str]:
    """The installed console script when there is one (what users run), else the module."""
    script = Path(sys.executable).with_name("verbatim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "verbatim.tui.cli"]


def cli_env(nltk_data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    paths = [str(OFFLINE_SITE)]
    if not Path(sys.executable).with_name("verbatim").exists():
        paths.append(str(ROOT))
    env.update(
        PYTHONPATH=os.pathsep.join(paths),
        NLTK_DATA=str(nltk_data),
        NO_COLOR="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


@pytest.fixture
def verbatim(empty_nltk_data, tmp_path):
    """Run the real command in a fresh process (network blocked there too)."""

    def run(*args: str, stdin: str | None = None, cwd: Path | None = None, **env: str) -> Run:
        proc = subprocess.run(
            [*verbatim_command(), *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env=cli_env(empty_nltk_data, **env),
            timeout=120,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


def ordinary_user_prefix() -> list[str]:
    """A command prefix under which file permissions hold. Root reads anything, so as root
    the command runs in a user namespace as an ordinary user who owns root's files: their
    owner bits then apply. Skips when this machine does not allow that."""
    if os.geteuid() != 0:
        return []
    prefix = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]
    try:
        probe = subprocess.run([*prefix, "id", "-u"], capture_output=True, text=True, timeout=30)
    except OSError as error:
        pytest.skip(f"cannot run as an ordinary user here: {error}")
    if probe.returncode != 0 or probe.stdout.strip() != "1000":
        pytest.skip(f"cannot run as an ordinary user here: {probe.stderr.strip()[-200:]}")
    return prefix


def run_as_ordinary_user(args: list[str], nltk_data: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*ordinary_user_prefix(), *verbatim_command(), *args], capture_output=True,
                          text=True, timeout=300, env=cli_env(nltk_data, **env))


class StandardIn(io.TextIOWrapper):
    """A standard input with bytes beneath it, as the real one has; a terminal or a pipe."""

    def __init__(self, text: str = "", terminal: bool = False) -> None:
        super().__init__(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """main() in this process; stdin is a pipe unless ``terminal``; a private log and config."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))

    from verbatim.tui.cli import main

    def run(*args: str, stdin: str = "", terminal: bool = False) -> Run:
        monkeypatch.setattr(sys, "stdin", StandardIn(stdin, terminal))
        code = main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def one_line_usage_error(run: Run, *words: str) -> None:
    assert run.code == 2, run  # ExitCode.USAGE
    assert run.err.startswith("verbatim: error:") and run.err.count("\n") == 1, run.err
    for word in words:
        assert word in run.err
    assert run.out == ""


@pytest.fixture
def without_word_vectors(monkeypatch):
    """Read as an install without the ``meaning`` extra does, whether or not it is installed."""
    from verbatim.retrieval.words.meaning import DISABLE_VARIABLE, word_vectors

    monkeypatch.setenv(DISABLE_VARIABLE, "1")
    word_vectors.cache_clear()
    yield
    monkeypatch.delenv(DISABLE_VARIABLE)
    word_vectors.cache_clear()
