"""The cache trusts nothing it did not make: links, other users, locks, leftovers, full disks."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import cli_env, verbatim_command

from verbatim.retrieval.index import store
from verbatim.retrieval.index.open import open_index
from verbatim.tui.cli import ExitCode

QUESTION = "Which ferry crossed the bay?"


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ferry.txt").write_text("Ferries\n\nThe ferry numbered 7 crossed the bay at dawn.\n",
                                      encoding="utf-8")
    return folder


def index_folder(corpus: Path, index_dir: Path) -> Path:
    return index_dir / store.corpus_key(str(corpus.resolve()))


def only_line(err: str, words: str) -> str:
    lines = [line for line in err.splitlines() if words in line]
    assert len(lines) == 1, err
    return lines[0]


# -- one user ------------------------------------------------------------------------------------
def test_folders_are_private_and_files_new(tmp_path):
    corpus = write_corpus(tmp_path / "notes")
    opened = open_index(corpus, index_dir=tmp_path / "idx")
    assert opened.folder.stat().st_mode & 0o777 == 0o700
    version = store.current_version(opened.folder)
    assert all(f.stat().st_mode & 0o077 == 0 for f in [*version.iterdir(), opened.folder / "lock"])


def test_a_planted_pointer_link_is_not_followed_and_leftovers_are_removed(tmp_path):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, tmp_path / "idx")
    folder.mkdir(parents=True, mode=0o700)
    bashrc = tmp_path / "bashrc"
    bashrc.write_text("alias ll='ls -l'\n", encoding="utf-8")
    (folder / f".current.{os.getpid()}").symlink_to(bashrc)
    (folder / ".current.4242").write_text("v-left-by-a-full-disk\n", encoding="utf-8")
    opened = open_index(corpus, index_dir=tmp_path / "idx")
    assert opened.folder == folder and not opened.notices
    assert bashrc.read_text(encoding="utf-8") == "alias ll='ls -l'\n"
    assert not list(folder.glob(".current.*"))


def test_an_index_folder_that_is_a_link_is_refused_and_left_alone(tmp_path, verbatim):
    corpus = write_corpus(tmp_path / "notes")
    victim = tmp_path / "victims-folder"
    for name in ("v-1.0", "v-2.0"):
        (victim / name).mkdir(parents=True)
        (victim / name / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    index_dir = tmp_path / "idx"
    index_dir.mkdir()
    index_folder(corpus, index_dir).symlink_to(victim)
    run = verbatim("--corpus", str(corpus), "--index-dir", str(index_dir), "--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED and "numbered 7" in run.out
    line = only_line(run.err, "refusing the index folder")
    assert "it is a symbolic link" in line and "answering without saving the index" in line
    assert sorted(p.name for p in victim.iterdir()) == ["v-1.0", "v-2.0"]
    assert (victim / "v-1.0" / "thesis.txt").read_text(encoding="utf-8") == "years of work\n"


def test_a_folder_others_can_write_is_refused(tmp_path, verbatim):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, tmp_path / "idx")
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    run = verbatim("--corpus", str(corpus), "--index-dir", str(tmp_path / "idx"), "--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED and "numbered 7" in run.out
    assert "other users can write to it" in only_line(run.err, "refusing the index folder")
    assert list(folder.iterdir()) == []


def test_a_lock_link_creates_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, tmp_path / "idx")
    folder.mkdir(parents=True, mode=0o700)
    target = tmp_path / "made-by-the-lock"
    (folder / "lock").symlink_to(target)
    opened = open_index(corpus, index_dir=tmp_path / "idx")
    assert not target.exists() and opened.folder is None
    assert any("cannot save the index" in n for n in opened.notices)


def test_a_relative_cache_home_is_ignored(tmp_path, verbatim):
    corpus = write_corpus(tmp_path / "notes")
    home = tmp_path / "home"
    home.mkdir()
    run = verbatim("--corpus", ".", "--ask", QUESTION, cwd=corpus, XDG_CACHE_HOME=".", HOME=str(home))
    assert run.code == ExitCode.ANSWERED
    assert sorted(p.name for p in corpus.iterdir()) == ["ferry.txt"]
    assert list((home / ".cache" / "verbatim").iterdir())


def test_waiting_for_a_lock_is_said_and_bounded(tmp_path):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, tmp_path / "idx")
    folder.mkdir(parents=True, mode=0o700)
    heard = []
    with open(folder / "lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        opened = open_index(corpus, index_dir=tmp_path / "idx", waiting=heard.append, lock_wait=0.5)
        assert time.monotonic() - started < 30
    assert len(heard) == 1 and "waiting for another process" in heard[0]
    assert opened.folder is None and len(opened.index.articles) == 1
    assert any("held the lock" in n and "answering without saving" in n for n in opened.notices)


def test_the_command_says_on_stderr_that_it_waits_then_goes_on(tmp_path, empty_nltk_data):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, tmp_path / "idx")
    folder.mkdir(parents=True, mode=0o700)
    with open(folder / "lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        proc = subprocess.Popen([*verbatim_command(), "--corpus", str(corpus), "--index-dir",
                                 str(tmp_path / "idx"), "--ask", QUESTION], env=cli_env(empty_nltk_data),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()
        assert "waiting for another process" in line and "Ctrl-C" in line
        assert proc.poll() is None
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == ExitCode.ANSWERED and "numbered 7" in out


def test_a_full_disk_is_one_clear_line_and_leaves_nothing_behind(tmp_path, empty_nltk_data):
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root to mount a small file system for the full disk")
    corpus = write_corpus(tmp_path / "notes")
    for n in range(40):  # enough text that the index outgrows the small disk
        (corpus / f"extra{n}.txt").write_text(
            "".join(f"Sentence {i} of note {n} tells of ferries and tides.\n\n" for i in range(60)),
            encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = (f"mount -t tmpfs -o size=64k tmpfs {disk} && {' '.join(verbatim_command())} --corpus {corpus} "
              f"--index-dir {disk} --ask '{QUESTION}'; code=$?; find {disk} -name '.current.*' -o "
              f"-name '*.partial' -o -name '*.npy'; exit $code")
    run = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True,
                         timeout=300, env=cli_env(empty_nltk_data))
    if "mount:" in run.stderr:
        pytest.skip(f"cannot mount here: {run.stderr.strip()[-200:]}")
    assert run.returncode == ExitCode.ANSWERED, run.stderr
    line = only_line(run.stderr, "no space left")
    assert line.endswith("while saving the index; answering without saving it")
    assert "requested and" not in run.stderr
    assert "numbered 7" in run.stdout and "/disk/" not in run.stdout


# -- two users -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def other_user():
    """A second user, made for these tests and removed after them."""
    if os.geteuid() != 0 or shutil.which("useradd") is None or shutil.which("runuser") is None:
        pytest.skip("needs root with useradd and runuser to act as a second user")
    name = f"vbt{os.getpid() % 100000}"
    made = subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", name],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a user here: {made.stderr.strip()[-200:]}")
    yield name
    subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def shared():
    """A folder every user can write to, like /tmp (sticky), outside pytest's private tree."""
    folder = Path(tempfile.mkdtemp(prefix="verbatim-shared-"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_user(user: str, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", "sh", "-c", command], capture_output=True,
                          text=True, timeout=60)


def test_another_users_index_folder_is_neither_read_nor_written(tmp_path, verbatim, other_user, shared):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, shared)
    victim_file = tmp_path / "bashrc"
    victim_file.write_text("mine\n", encoding="utf-8")
    planted = as_user(other_user, f"mkdir -m 755 {folder} && for pid in $(seq 2 3000); do "
                      f"ln -s {victim_file} {folder}/.current.$pid; done; ln -s {tmp_path / 'made'} {folder}/lock")
    assert planted.returncode == 0, planted.stderr
    run = verbatim("--corpus", str(corpus), "--index-dir", str(shared), "--ask", QUESTION)
    assert run.code == ExitCode.ANSWERED and "numbered 7" in run.out
    assert "it belongs to another user" in only_line(run.err, "refusing the index folder")
    assert victim_file.read_text(encoding="utf-8") == "mine\n" and not (tmp_path / "made").exists()


def test_a_lock_held_by_another_user_does_not_hang_the_command(tmp_path, verbatim, other_user, shared):
    corpus = write_corpus(tmp_path / "notes")
    folder = index_folder(corpus, shared)
    holder = subprocess.Popen(["runuser", "-u", other_user, "--", "sh", "-c",
                               f"mkdir -m 755 {folder} && touch {folder}/lock && chmod 644 {folder}/lock"
                               f" && exec flock {folder}/lock sleep 120"])
    try:
        for _ in range(100):
            if (folder / "lock").exists():
                break
            time.sleep(0.1)
        started = time.monotonic()
        run = verbatim("--corpus", str(corpus), "--index-dir", str(shared), "--ask", QUESTION)
        assert time.monotonic() - started < store.LOCK_WAIT_SECONDS
        assert run.code == ExitCode.ANSWERED and "numbered 7" in run.out
        assert "it belongs to another user" in only_line(run.err, "refusing the index folder")
    finally:
        holder.kill()
        holder.wait()


def test_a_poisoned_index_of_another_user_is_not_loaded(tmp_path, verbatim, other_user, shared):
    corpus = write_corpus(tmp_path / "notes")
    own = tmp_path / "own"
    opened = open_index(corpus, index_dir=own)
    folder = index_folder(corpus, shared)
    shutil.copytree(opened.folder, folder)
    version = store.current_version(folder)
    text = (version / "text.bin").read_bytes().replace(b"numbered 7", b"numbered 8")
    (version / "text.bin").write_bytes(text)
    subprocess.run(["chown", "-R", other_user, str(folder)], check=True)
    folder.chmod(0o755)
    run = verbatim("--corpus", str(corpus), "--index-dir", str(shared), "--ask", QUESTION)
    assert "numbered 7" in run.out and "numbered 8" not in run.out
    assert "it belongs to another user" in only_line(run.err, "refusing the index folder")
