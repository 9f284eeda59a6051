"""`STUDYDL_EDITOR_LINE`: a crafted deck file name is one word, even inside a shell command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from studydl.editor import editor_command

CRAFTED = ["a;touch pwned;.md", "$(touch pwned).md", "'; touch pwned; '.md", "`touch pwned`.md", "my deck {line}.md"]


@pytest.mark.parametrize("name", CRAFTED)
def test_a_file_name_inside_a_shell_template_is_quoted_and_never_runs(tmp_path: Path, name: str) -> None:
    deck = tmp_path / name
    deck.write_text("Q: a\nA: b\n")
    form = {"EDITOR": "cat", "STUDYDL_EDITOR_LINE": "sh -c 'test -f {file} && {editor} {file} && echo line {line}'"}
    argv = editor_command(deck, 3, form)
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Q: a\nA: b\nline 3\n"
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name", CRAFTED)
def test_a_file_name_as_a_word_of_its_own_is_passed_as_it_is(tmp_path: Path, name: str) -> None:
    form = {"EDITOR": "myedit -x", "STUDYDL_EDITOR_LINE": "{editor} --goto {file}:{line} --file={file}"}
    path = str(tmp_path / name)
    assert editor_command(path, 12, form) == ["myedit", "-x", "--goto", f"{path}:12", f"--file={path}"]
