"""Shell completion scripts, each run in its own shell: bash sourced, zsh through its completion system in a pseudo-terminal, fish through `complete -C`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verbatim.tui.cli import build_parser
from verbatim.tui.completion import bash, fish, zsh

pytestmark = pytest.mark.subprocess

SHELL_TIMEOUT = 60  # seconds; a completion that never ends fails the test instead of hanging it
COMMANDS = {"logs", "indexes", "completion"}

# zsh completes only inside its line editor: this starts an interactive zsh in a
# pseudo-terminal (zpty), loads the script (sourced, or from $fpath when given a folder),
# types the words and Tab, and writes every match offered to OUT, then "__end__".
ZSH_CAPTURE = r"""
zmodload zsh/zpty
script=$1 out=$2; shift 2
setup=$(mktemp)
cat > $setup <<SETUP
PS1=''
if [[ -d ${(q)script} ]]; then fpath=(${(q)script} \$fpath); fi
autoload -Uz compinit && compinit -u -D
if [[ -f ${(q)script} ]]; then source ${(q)script}; fi
compadd() {
    if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
    local -a __found
    builtin compadd -O __found "\$@"
    (( \$#__found )) && print -rl -- \$__found >> ${(q)out}
    builtin compadd "\$@"
}
__capture_done() { print -r -- __end__ >> ${(q)out}; exit }
comppostfuncs=(__capture_done)
bindkey '^I' complete-word
SETUP
zpty z zsh -f -i
zpty -w z "source ${(q)setup}"
zpty -w z "$*"$'\t'
while zpty -r z line; do :; done
rm -f $setup
"""


def _needs(shell: str):
    return pytest.mark.skipif(shutil.which(shell) is None, reason=f"{shell} is not installed")


@pytest.fixture
def user(tmp_path):
    """A folder to complete in (one folder, one file) and an environment whose configuration
    names a corpus, with `verbatim` on the PATH as an installed command is."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "file.txt").write_text("x", encoding="utf-8")
    config = tmp_path / "config"
    (config / "verbatim").mkdir(parents=True)
    (config / "verbatim" / "config.toml").write_text('[corpora]\npydocs = "/nowhere"\n', encoding="utf-8")
    if not Path(sys.executable).with_name("verbatim").exists():
        pytest.skip("the verbatim command is not installed beside this Python")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return work, env


def _run(command: list[str], work: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=SHELL_TIMEOUT, cwd=work, env=env)
    assert done.returncode == 0 and not done.stderr, done
    return done


def complete_bash(user, *words: str) -> set[str]:
    work, env = user
    script = work.parent / "verbatim.bash"
    script.write_text(bash(), encoding="utf-8")
    line = " ".join(f"'{w}'" for w in words)
    program = (f"source {script}\nCOMP_WORDS=(verbatim {line}); COMP_CWORD={len(words)}; "
               "_verbatim; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = _run(["bash", "--norc", "--noprofile", "-c", program], work, env)
    return {w for w in done.stdout.splitlines() if w}


def complete_zsh(user, *words: str, from_fpath: bool = False) -> set[str]:
    work, env = user
    if from_fpath:  # installed as the file _verbatim in a folder of $fpath
        script = work.parent / "functions"
        script.mkdir(exist_ok=True)
        (script / "_verbatim").write_text(zsh(), encoding="utf-8")
    else:
        script = work.parent / "verbatim.zsh"
        script.write_text(zsh(), encoding="utf-8")
    capture, out = work.parent / "capture.zsh", work.parent / "offered"
    capture.write_text(ZSH_CAPTURE, encoding="utf-8")
    out.unlink(missing_ok=True)
    _run(["zsh", "-f", str(capture), str(script), str(out), "verbatim", *words], work, env)
    offered = out.read_text(encoding="utf-8").splitlines()
    assert offered[-1] == "__end__", offered
    return set(offered[:-1])


def complete_fish(user, *words: str) -> set[str]:
    work, env = user
    script = work.parent / "verbatim.fish"
    script.write_text(fish(), encoding="utf-8")
    line = " ".join(["verbatim", *words])
    done = _run(["fish", "--no-config", "-c", f"source {script}; complete -C '{line}'"], work, env)
    return {row.split("\t")[0] for row in done.stdout.splitlines()}


SHELLS = [pytest.param(complete_bash, marks=_needs("bash"), id="bash"),
          pytest.param(complete_zsh, marks=_needs("zsh"), id="zsh"),
          pytest.param(complete_fish, marks=_needs("fish"), id="fish")]


@pytest.mark.parametrize("complete", SHELLS)
def test_options_commands_and_values_complete_in_every_shell(complete, user):
    assert complete(user, "--for") == {"--format"}
    assert complete(user, "--format", "") == {"text", "markdown", "json"}
    assert complete(user, "") >= COMMANDS
    assert complete(user, "logs", "--q") == {"--query"}
    assert complete(user, "logs", "--format", "j") == {"json"}
    assert complete(user, "completion", "f") == {"fish"}
    # After an option and its value the main command's options are still offered.
    assert complete(user, "--corpus", "x", "--fo") == {"--format", "--follow-links"}
    # A repeatable option is offered again.
    assert "--include" in complete(user, "--include", "a", "--inc")


@pytest.mark.parametrize("complete", SHELLS)
def test_corpus_offers_the_configured_names_and_files(complete, user):
    assert complete(user, "-c", "p") == {"pydocs"}
    offered = {w.rstrip("/") for w in complete(user, "--corpus", "")}
    assert {"pydocs", "sub", "file.txt"} <= offered


@pytest.mark.parametrize("complete", SHELLS)
def test_index_dir_offers_folders_only(complete, user):
    offered = {w.rstrip("/") for w in complete(user, "--index-dir", "")}
    assert "sub" in offered and "file.txt" not in offered


@_needs("zsh")
def test_zsh_script_works_from_fpath_as_well_as_sourced(user):
    assert complete_zsh(user, "--for", from_fpath=True) == {"--format"}
    assert complete_zsh(user, "-c", "p", from_fpath=True) == {"pydocs"}


@_needs("bash")
def test_bash_script_registers_the_function(user):
    work, env = user
    script = work.parent / "verbatim.bash"
    script.write_text(bash(), encoding="utf-8")
    done = _run(["bash", "--norc", "--noprofile", "-c", f"source {script}; complete -p verbatim"], work, env)
    assert done.stdout.strip().endswith("-F _verbatim verbatim")


@_needs("zsh")
def test_zsh_script_loads_after_compinit_and_registers_the_function(user):
    work, env = user
    script = work.parent / "verbatim.zsh"
    script.write_text(zsh(), encoding="utf-8")
    done = _run(["zsh", "-f", "-c", f"autoload -Uz compinit && compinit -u -D; source {script}; "
                 "print -r -- $_comps[verbatim]"], work, env)
    assert done.stdout.strip() == "_verbatim"


def test_corpora_lists_the_configured_names(cli, tmp_path):
    config = tmp_path / "config" / "verbatim"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[corpora]\npydocs = "/a"\n"my notes" = "/b"\n', encoding="utf-8")
    run = cli("completion", "--corpora")
    assert (run.code, run.out) == (0, "pydocs\nmy notes\n")
    (config / "config.toml").write_text("top = [\n", encoding="utf-8")  # broken: nothing, quietly
    run = cli("completion", "--corpora")
    assert (run.code, run.out) == (0, "")


def test_completion_without_a_shell_is_one_line(cli):
    from conftest import one_line_usage_error

    one_line_usage_error(cli("completion"), "bash|zsh|fish")


def test_every_option_is_offered_by_every_shell():
    options = [s for a in build_parser()._actions for s in a.option_strings if s.startswith("--")]
    for script in (bash(), zsh(), fish()):
        for option in options:
            assert option in script or f"-l {option[2:]}" in script, option
