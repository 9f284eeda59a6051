"""Which command opens a file at a line in the user's editor (`$VISUAL`, else `$EDITOR`).

Most terminal and many desktop editors take `+LINE FILE` (vi, vim, nano, emacs, micro,
helix, kakoune, gedit, ...), so an editor this module does not know gets that form too.
The few known to want another form get theirs (VS Code and its forks: `-g FILE:LINE`,
Sublime Text: `FILE:LINE`, Kate: `-l LINE FILE`). Anything else is set by the user with
`STUDYDL_EDITOR_LINE`, a command line in which `{editor}`, `{file}` and `{line}` are
replaced: `STUDYDL_EDITOR_LINE='{editor} --goto {file}:{line}'`, or `'{editor} {file}'`
for an editor that takes no line at all. Inside a word that a shell will read
(`sh -c 'vim +{line} {file}'`) every value is shell-quoted.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from studydl.domain.errors import StudyError

_PLACEHOLDER = re.compile(r"\{(editor|file|line)\}")
_SHELL_TEXT = re.compile(r"[\s;&|<>()$`\\\"'*?#~]")
"""Characters that make a template word a command line for a shell."""
LINE_FORM_ENV = "STUDYDL_EDITOR_LINE"
"""The user's own form of the command: `{editor}`, `{file}` and `{line}` are filled in."""
GOTO_FLAG = {"code", "code-insiders", "codium", "cursor", "windsurf"}
"""Editors that take `-g file:line` (and need `--wait` to block)."""
COLON_LINE = {"subl", "sublime_text", "zed"}
"""Editors that take `file:line` (and need `--wait`/`-w` to block)."""
LINE_FLAG = {"kate": "-l"}
"""Editors that take the line as an option before the file."""


def editor_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """`$VISUAL`, else `$EDITOR`, else nano or vi, split like a shell would."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or ""
    if raw.strip():
        return shlex.split(raw)
    return ["nano" if shutil.which("nano") else "vi"]


def _from_template(template: str, argv: list[str], path: str, line: int) -> list[str]:
    """The user's form: `{editor}` as its own word(s), `{file}` and `{line}` anywhere in a word.

    A word that is shell text (`sh -c 'vim +{line} {file}'`: spaces, quotes, `;`, `$`, ...)
    gets every value shell-quoted, so a crafted file name stays one word and never runs;
    any other word is one argument and gets the values as they are (`--goto {file}:{line}`).
    Values are put in at once: a file name holding `{line}` is not filled in again.
    """
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise StudyError(f"{LINE_FORM_ENV}: {exc}") from exc
    if "{file}" not in template:
        raise StudyError(f"{LINE_FORM_ENV} must contain {{file}} (for example '{{editor}} +{{line}} {{file}}')")
    plain = {"editor": shlex.join(argv), "file": path, "line": str(line)}
    quoted = {"editor": shlex.join(argv), "file": shlex.quote(path), "line": str(line)}
    out: list[str] = []
    for word in words:
        if word == "{editor}":
            out.extend(argv)
            continue
        values = quoted if _SHELL_TEXT.search(_PLACEHOLDER.sub("", word)) else plain
        out.append(_PLACEHOLDER.sub(lambda m, values=values: values[m.group(1)], word))
    return out


def editor_command(path: Path | str, line: int, environ: Mapping[str, str] | None = None) -> list[str]:
    """The full command that opens `path` at `line`."""
    env = os.environ if environ is None else environ
    argv = editor_argv(env)
    if template := env.get(LINE_FORM_ENV, "").strip():
        return _from_template(template, argv, str(path), line)
    name = Path(argv[0]).name.lower().removesuffix(".exe")
    if name in GOTO_FLAG:
        wait = [] if "--wait" in argv or "-w" in argv else ["--wait"]
        return [*argv, *wait, "-g", f"{path}:{line}"]
    if name in COLON_LINE:
        wait = [] if "--wait" in argv or "-w" in argv else ["--wait"]
        return [*argv, *wait, f"{path}:{line}"]
    if name in LINE_FLAG:
        return [*argv, LINE_FLAG[name], str(line), str(path)]
    return [*argv, f"+{line}", str(path)]
