"""Which command opens a file at a line in the user's editor (`$VISUAL`, else `$EDITOR`).

Most terminal and many desktop editors take `+LINE FILE` (vi, vim, nano, emacs, micro,
helix, kakoune, gedit, ...), so an editor this module does not know gets that form too.
The few known to want another form get theirs (VS Code and its forks: `-g FILE:LINE`,
Sublime Text: `FILE:LINE`, Kate: `-l LINE FILE`). Anything else is set by the user with
`STUDYDL_EDITOR_LINE`, a command line in which `{editor}`, `{file}` and `{line}` are
replaced: `STUDYDL_EDITOR_LINE='{editor} --goto {file}:{line}'`, or `'{editor} {file}'`
for an editor that takes no line at all.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

from studydl.domain.errors import StudyError

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
    """The user's form: `{editor}` as its own word(s), `{file}` and `{line}` anywhere in a word."""
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise StudyError(f"{LINE_FORM_ENV}: {exc}") from exc
    if "{file}" not in template:
        raise StudyError(f"{LINE_FORM_ENV} must contain {{file}} (for example '{{editor}} +{{line}} {{file}}')")
    out: list[str] = []
    for word in words:
        if word == "{editor}":
            out.extend(argv)
        else:
            out.append(word.replace("{editor}", shlex.join(argv)).replace("{file}", path).replace("{line}", str(line)))
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
