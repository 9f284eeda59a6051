"""Every study day comes from one owner, studydl/domain/days.py: no module computes one itself.

An AST check over the package: outside the owner, no local calendar date is taken from an
instant (`x.astimezone(...).date()`), no day number is made (`toordinal`/`fromordinal`), no
hour offset is subtracted (`timedelta(hours=<a setting>)`) and the day-start hour is read only
where the settings build their `StudyDays`. Each exception names why it is not a study day.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "studydl"
OWNER = PACKAGE / "domain" / "days.py"
SETTINGS = {PACKAGE / "engine" / "setting_values.py"}
"""Where the settings hold the day-start hour and build their StudyDays from it."""
CALENDAR_DAYS = {PACKAGE / "store" / "backup_policy.py"}
"""Backups are thinned by calendar day in the learner's zone, not by study day."""


def day_arithmetic(path: Path, root: Path = PACKAGE.parent) -> list[str]:
    """`path:line: what` for each place the module works out a day by itself."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        what = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inner = node.func.value
            if node.func.attr == "date" and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "astimezone":
                what = "a local date taken from an instant"
            elif node.func.attr in ("toordinal", "fromordinal"):
                what = "a day number"
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "timedelta"
            and any(kw.arg == "hours" and not isinstance(kw.value, ast.Constant) for kw in node.keywords)
        ):
            what = "an hour offset"
        if isinstance(node, ast.Attribute) and node.attr == "day_start_hour" and path not in SETTINGS:
            what = "the day-start hour read"
        if what is not None and not (path in CALENDAR_DAYS and what != "the day-start hour read"):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {what}")
    return found


def test_no_module_but_the_owner_computes_a_study_day() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) if path != OWNER for line in day_arithmetic(path)]
    assert not found, "ask studydl.domain.days (settings.study_days()) instead:\n" + "\n".join(found)


def test_the_check_sees_day_arithmetic(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "today = (now.astimezone() - timedelta(hours=settings.day_start_hour)).date()\n"
        "day = now.astimezone(zone).date().toordinal()\n",
        encoding="utf-8",
    )
    found = day_arithmetic(sample, tmp_path)
    assert len(found) == 4 and all(line.startswith("sample.py:") for line in found), found
