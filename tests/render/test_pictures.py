"""Pictures: pixels through textual-image on a Kitty terminal, cells elsewhere; bad image files are deck problems."""

from __future__ import annotations

import base64
import io
import sys

import pytest
from PIL import Image
from rich.console import Console

from studydl.decks.parser import parse_file
from studydl.domain.demos import Heatmap, Images
from studydl.render import picture_mode
from studydl.render.card_pictures import image_refs, with_pictures
from studydl.render.terminal_picture import FramePicture
from tests.conftest import run_studydl

MAPS = Images(key="maps", title="feature maps", images=[[[0.0, 0.5], [1.0, 0.25]], [[1.0, 0.0], [0.0, 1.0]]], captions=["map 1", "map 2"])
ATTENTION = Heatmap(key="attention", title="attention", values=[[0.9, 0.1], [0.2, 0.8]], v_min=0.0, v_max=1.0)


def _console() -> Console:
    return Console(file=io.StringIO(), width=80, force_terminal=True, color_system="truecolor")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The terminal's own stream, where textual-image sends image data (sys.__stdout__)."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "__stdout__", stream)
    return stream


@pytest.mark.parametrize("frame", [MAPS, ATTENTION], ids=["images", "heatmap"])
def test_a_kitty_terminal_gets_the_frame_as_pixels_through_textual_image(frame, terminal: io.StringIO) -> None:
    console = _console()
    console.print(FramePicture(frame, mode=picture_mode.KITTY))
    sent = terminal.getvalue()
    messages = [m for m in sent.split("\x1b\\") if m]
    assert all(m.startswith("\x1b_G") for m in messages)
    first_keys, first_payload = messages[0][3:].split(";", 1)
    assert "f=100" in first_keys  # a PNG ...
    assert base64.b64decode(first_payload + "=" * (-len(first_payload) % 4))[:8] == b"\x89PNG\r\n\x1a\n"
    assert any("a=p" in m and "U=1" in m for m in messages)  # ... placed virtually, drawn by placeholders
    drawn = console.file.getvalue()
    assert "\U0010eeee" in drawn and "▀" not in drawn


def test_a_plain_terminal_gets_cells_and_no_escape_sequences(terminal: io.StringIO) -> None:
    assert picture_mode.detect({"TERM": "xterm-256color"}, tty=True) == picture_mode.CELLS
    assert picture_mode.detect({"TERM": "xterm-kitty"}, tty=True) == picture_mode.KITTY
    assert picture_mode.detect({"TERM": "foot"}, tty=True) == picture_mode.SIXEL
    assert picture_mode.detect({"TERM": "xterm-kitty"}, tty=False) == picture_mode.CELLS
    console = _console()
    console.print(FramePicture(MAPS, mode=picture_mode.CELLS))
    assert terminal.getvalue() == ""
    drawn = console.file.getvalue()
    assert "▀" in drawn and "\U0010eeee" not in drawn and "\x1b_G" not in drawn


def test_images_flag_and_setting_override_detection() -> None:
    try:
        assert picture_mode.configure("cells", env={"TERM": "xterm-kitty"}, tty=True) == picture_mode.CELLS
        assert picture_mode.configure(None, env={"TERM": "xterm-kitty"}, tty=True) == picture_mode.KITTY
        assert picture_mode.apply_setting("none") == picture_mode.NONE
        assert picture_mode.configure("auto", env={"TERM": "xterm-kitty"}, tty=True) == picture_mode.NONE  # the setting
    finally:
        picture_mode.apply_setting("auto")
        picture_mode.configure(None, env={}, tty=False)


def test_a_card_shows_the_image_beside_its_deck(tmp_path, terminal: io.StringIO) -> None:
    (tmp_path / "figures").mkdir()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "figures" / "lstm.png")
    text = "What does the figure show?\n\n![the cell](figures/lstm.png) and `![](code.png)`"
    assert image_refs(text) == ["figures/lstm.png"]
    console = _console()
    console.print(with_pictures("question", text, str(tmp_path / "deck.md")))
    assert "▀" in console.file.getvalue()  # cells: this test's terminal is no terminal


def test_missing_unreadable_and_huge_images_are_deck_problems(write_deck, tmp_path) -> None:
    figures = tmp_path / "decks" / "figures"
    figures.mkdir(parents=True)
    (figures / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    Image.new("1", (6000, 6000)).save(figures / "bomb.png")  # 36 megapixels in a few kilobytes
    path = write_deck("pictures.md", """\
        # Figures

        Q: What does the LSTM figure show?
        A: ![](figures/lstm.png)

        Q: And the broken one?
        A: ![](figures/broken.png)

        Q: And the bomb?
        A: ![](figures/bomb.png)
        """)
    problems = [str(p) for p in parse_file(path).errors]
    assert problems[0] == f"{path}:4: image lstm.png: not found (figures/lstm.png)"
    assert problems[1].startswith(f"{path}:7: image broken.png cannot be read")
    assert problems[2].startswith(f"{path}:10: image bomb.png is too large to decode")
    result = run_studydl("check", str(path))
    assert result.returncode == 1 and f"{path}:4: image lstm.png: not found" in result.stderr
