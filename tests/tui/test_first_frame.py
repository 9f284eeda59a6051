"""The first frame of `studydl` holds only what it needs (issue 24, item 3: first paint within 1.3x a bare app).

One real start of the command, `python -m studydl --home H`, with Textual's headless driver;
at the first paint (the moment bench/startup.py stamps) the probe notes which modules are
loaded, how often each style sheet was parsed and how many garbage collections ran since the
app began to load; when the counts are shown, whether collection is back to the usual.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROBE = """
import gc, json, sys, time
from collections import Counter
from textual.css import stylesheet
import studydl.tui.launch as launch

parsed = Counter()
_parse_rules = stylesheet.Stylesheet._parse_rules
def counting_parse(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
    if (css, read_from, is_default_rules, tie_breaker, scope) not in self._parse_cache:
        parsed[f"{read_from[0].rsplit('/', 1)[-1]} {read_from[1]}".strip()] += 1
    return _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
stylesheet.Stylesheet._parse_rules = counting_parse

collections = [0]
usual = gc.get_threshold()
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.__setitem__(0, collections[0] + 1))
make_app = launch.make_app
def probing_make_app(*args, **kwargs):
    at_start = collections[0]
    app = make_app(*args, **kwargs)
    stamp = type(app)._stamp
    def probing_stamp(self, path, event):
        if event == "paint":
            out = {"modules": sorted(sys.modules), "parsed": parsed, "collections": collections[0] - at_start}
            print("PROBE " + json.dumps(out), flush=True)
        if event == "ready":
            print("READY " + json.dumps({"collecting": gc.isenabled(), "usual_threshold": gc.get_threshold() == usual}), flush=True)
        return stamp(self, path, event)
    type(app)._stamp = probing_stamp
    return app
launch.make_app = probing_make_app

sys.argv = ["studydl", "--home", sys.argv[1]]
from studydl.cli import main
main()
"""

NOT_FOR_THE_FIRST_FRAME = (
    "sqlalchemy",
    "alembic",
    "markdown_it",
    "rich.markdown",
    "rich._emoji_codes",
    "fsrs",
    "torch",
    "plotext",
    "watchfiles",
    "studydl.decks.parser",
    "studydl.decks.sync",
    "studydl.engine",
    "studydl.store.db",
    "studydl.render.markdown",
    "studydl.demos",
    "studydl.tui.screens.review",
    "studydl.tui.screens.browse",
    "studydl.tui.screens.stats",
    "studydl.tui.screens.settings",
    "studydl.tui.screens.demo",
)


def first_frame(home: Path, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.getcwd(),
        "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver",
        "STUDYDL_EXIT_AFTER_PAINT": str(tmp_path / "stamps"),
    }
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(PROBE), str(home)], capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    lines = [line for line in done.stdout.splitlines() if line.startswith(("PROBE ", "READY "))]
    assert done.returncode == 0 and len(lines) == 2, done.stderr[-2000:]
    return {**json.loads(lines[0].removeprefix("PROBE ")), "ready": json.loads(lines[1].removeprefix("READY "))}


def test_the_first_frame_parses_each_style_sheet_once_loads_no_store_or_parser_and_runs_no_collection(study_home, tmp_path) -> None:
    frame = first_frame(study_home.root, tmp_path)
    parsed = frame["parsed"]
    # Every sheet once: a screen of its own style sheet would have Textual parse them all twice more.
    assert parsed["app.tcss"] == 1 and parsed["home.tcss"] == 1 and parsed["app.py App.DEFAULT_CSS"] == 1, parsed
    shown = {"app.tcss", "home.tcss"}
    assert not {name for name in parsed if name.endswith(".tcss")} - shown, parsed
    assert frame["collections"] == 0
    # Collection is back to the usual once the counts are shown (start_heap.py).
    assert frame["ready"] == {"collecting": True, "usual_threshold": True}
    loaded = set(frame["modules"])
    assert not {name for name in loaded if any(name == m or name.startswith(m + ".") for m in NOT_FOR_THE_FIRST_FRAME)}
    assert "studydl.tui.screens.home" in loaded  # (the probe saw the real first frame)
