"""Every demo's final frames, as `studydl demo run` prints them, fit an 80-column terminal.

Rich would crop or wrap anything wider without complaint, so each frame is measured: the
width it needs (a table's natural width, a picture's laid-out width) must be at most 80.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from studydl.cli.demo_frames import render_frame
from tests.demos.fit import needed_width
from tests.demos.recorded import DEMO_IDS, final_frames, record, recordings  # noqa: F401


@pytest.mark.parametrize("colour", ["truecolor", None], ids=["colour", "plain"])
@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_final_frames_fit_80_columns(demo_id: str, colour: str | None, recordings: Path) -> None:  # noqa: F811
    frames = final_frames(record(demo_id, recordings))
    assert frames
    console = Console(width=80, record=True, color_system=colour, file=open("/dev/null", "w"))  # noqa: SIM115
    for frame in frames:
        panel = render_frame(frame)
        needed = needed_width(panel, 80)
        assert needed <= 80, f"{frame.key} needs {needed} columns"
        console.print(panel)
    words = " ".join(console.export_text().replace("│", " ").split())
    for frame in frames:  # whole, on the border or (when longer) inside the panel
        assert " ".join(frame.title.split()) in words, frame.title
