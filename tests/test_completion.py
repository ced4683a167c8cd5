"""Shell completion scripts: bash sourced for real; zsh and fish generated from the same parsers."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from verbatim.tui.cli import build_parser
from verbatim.tui.completion import bash, fish, zsh

pytestmark = pytest.mark.subprocess


def _complete(script: str, *words: str) -> list[str]:
    """What bash offers after ``words`` (the last one being completed)."""
    line = " ".join(f"'{w}'" for w in words)
    program = (f"{script}\ncomplete -p verbatim\nCOMP_WORDS=(verbatim {line}); COMP_CWORD={len(words)}; "
               "_verbatim; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout.splitlines()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_script_registers_and_completes_options_values_and_commands():
    script = bash()
    first, *offered = _complete(script, "--for")
    assert first.startswith("complete ") and first.endswith(" verbatim")
    assert offered == ["--format"]
    assert _complete(script, "--format", "")[1:] == ["text", "markdown", "json"]
    assert set(_complete(script, "")[1:]) >= {"logs", "indexes", "completion", "--ask", "--corpus"}
    assert _complete(script, "logs", "--q")[1:] == ["--query"]
    assert _complete(script, "completion", "f")[1:] == ["fish"]


def test_every_option_is_offered_by_every_shell():
    options = [s for a in build_parser()._actions for s in a.option_strings if s.startswith("--")]
    for script in (bash(), zsh(), fish()):
        for option in options:
            assert option in script or f"-l {option[2:]}" in script, option
