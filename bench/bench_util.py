"""Shared by the bench scripts: write a figures table into README.md between markers."""

from __future__ import annotations

import os
import platform
import re
from datetime import date
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def write_readme_block(name: str, table: str, command: str) -> None:
    """Replace the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in README.md."""
    text = README.read_text()
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start not in text:
        raise SystemExit(f"README.md has no {start} marker")
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    load = os.getloadavg()[0]
    body = (
        f"{start}\nMeasured {date.today().isoformat()} on this project's 2-core CPU machine ({machine}, "
        f"load average {load:.1f}) with `{command}`:\n\n{table}\n{end}"
    )
    text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: body, text, flags=re.S)
    README.write_text(text)
