"""Which command opens a file at a line in the user's editor (`$VISUAL`, else `$EDITOR`)."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from pathlib import Path

PLUS_LINE = {"vi", "vim", "nvim", "view", "nano", "emacs", "emacsclient", "micro", "hx", "helix", "kak", "ne", "joe", "mg"}
"""Editors that take `+LINE file`."""
GOTO_FLAG = {"code", "code-insiders", "codium", "cursor", "windsurf"}
"""Editors that take `-g file:line` (and need `--wait` to block)."""


def editor_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """`$VISUAL`, else `$EDITOR`, else nano or vi, split like a shell would."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or ""
    if raw.strip():
        return shlex.split(raw)
    return ["nano" if shutil.which("nano") else "vi"]


def editor_command(path: Path | str, line: int, environ: Mapping[str, str] | None = None) -> list[str]:
    """The full command that opens `path` at `line`."""
    argv = editor_argv(environ)
    name = Path(argv[0]).name.lower().removesuffix(".exe")
    if name in PLUS_LINE:
        return [*argv, f"+{line}", str(path)]
    if name in GOTO_FLAG:
        wait = [] if "--wait" in argv or "-w" in argv else ["--wait"]
        return [*argv, *wait, "-g", f"{path}:{line}"]
    return [*argv, str(path)]
