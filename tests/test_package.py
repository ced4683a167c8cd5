"""The installed package as users meet it: one import package, the README's API example, python -m."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, cli_env


def readme_api_example() -> str:
    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


@pytest.mark.subprocess
def test_the_documented_api_example_runs_and_follows_up(empty_nltk_data, tmp_path):
    code = readme_api_example() + (
        "\nassert result.answered and '40-year-old' in best.sentence and best.line\n"
        "import sys\n"
        "assert not [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env=cli_env(empty_nltk_data), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Liang Wenfeng" in proc.stdout


@pytest.mark.subprocess
def test_only_verbatim_is_importable_and_python_m_runs_it(empty_nltk_data, tmp_path):
    # From a folder that is not the checkout: what site-packages holds, nothing else.
    code = ("import importlib.util as u, verbatim, pathlib\n"
            "print([n for n in ('corpus', 'retrieval', 'tui') if u.find_spec(n)])\n"
            "print((pathlib.Path(verbatim.__file__).parent / 'py.typed').exists() or "
            "any((pathlib.Path(p) / 'py.typed').exists() for p in verbatim.__path__))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env=cli_env(empty_nltk_data), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["[]", "True"]
    run = subprocess.run([sys.executable, "-m", "verbatim", "--ask", "What is CATL?"], capture_output=True,
                         text=True, cwd=tmp_path, env=cli_env(empty_nltk_data), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "CATL" in run.stdout and "[deepseek-capital-infusion:" in run.stdout


def test_a_missing_corpus_is_a_corpus_error(tmp_path):
    import verbatim
    from verbatim.corpus import CorpusError

    with pytest.raises(CorpusError):
        verbatim.open(tmp_path / "nowhere")
    assert Path(verbatim.__file__).name == "__init__.py"
