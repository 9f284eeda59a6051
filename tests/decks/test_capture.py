"""Explore, then capture: a predict card written into the learner's own deck, checked, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.decks import capture
from studydl.decks.capture import CaptureError, PredictCard, Section
from studydl.decks.parser import parse_file
from studydl.demos import get_spec
from studydl.demos.spec_index import SpecIndex
from studydl.domain.cards import CardKind

SPEC = get_spec("conv-arithmetic")
PARAMS = {**SPEC.defaults(), "size": 10, "kernel": "sharpen"}
METRICS = {"output_size": 8.0, "pooled_size": 4.0, "max_abs_diff_conv": 0.0, "max_abs_diff_pool": 0.0, "sizes_match": 1.0}

DECK = """\
---
deck: Mine
---

# Convolutions

Q: What slides over the input?
A: The kernel.

## Padding

Zero padding :: a border of zeros around the input

# Later

Q: Something else?
A: Yes.
"""


def card(**changes: object) -> PredictCard:
    base = capture.draft(SPEC, PARAMS, METRICS, "output_size", summary="64 dot products by hand equal torch's conv2d.")
    return PredictCard(**{**base.__dict__, **changes})


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def inserted_part(old: bytes, new: bytes) -> bytes:
    """What `new` adds to `old` at one place, `old`'s bytes kept in order on both sides of it."""
    k = 0
    while k < len(old) and old[k] == new[k]:
        k += 1
    assert new.endswith(old[k:]), "the learner's bytes after the card changed"
    return new[k : len(new) - len(old) + k]


def check(path: Path) -> tuple[int, str]:
    done = CliRunner().invoke(cli, ["--home", str(path.parent / ".home"), "check", str(path)])
    return done.exit_code, done.output


def test_a_draft_names_what_changed_and_reads_back_as_the_predict_card_it_is(tmp_path: Path) -> None:
    c = card()
    assert c.question == "Convolution arithmetic: slide, multiply, add; then pool: predict the side of the convolution's output with size=10, kernel=sharpen (pixels)."
    assert c.tolerance == "10%" and c.expect == "8"
    assert c.lines()[2:] == [
        "demo: conv-arithmetic",
        "predict: output_size",
        "tolerance: 10%",
        "set: size=10, kernel=sharpen, stride=1, padding=0, pool=2",
        "expect: 8",
    ]
    added = capture.add_card(tmp_path, "mine", c, known_demos=SpecIndex())
    assert added.path == tmp_path / "mine.md" and added.line == 1
    deck = parse_file(added.path, SpecIndex())
    assert deck.ok and len(deck.cards) == 1
    got = deck.cards[0]
    assert got.kind is CardKind.PREDICT and got.demo_id == "conv-arithmetic"
    predict = got.check.predict
    assert predict is not None and predict.metric == "output_size" and predict.expect == "8"
    assert predict.fixed == {**PARAMS}  # typed as the demo declares them
    assert check(added.path) == (0, "1 deck file, 1 card, 0 problems\n")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("trailing", [True, False], ids=["ends-with-newline", "no-final-newline"])
def test_the_card_goes_at_the_end_of_its_section_and_every_other_byte_stays(tmp_path: Path, newline: bytes, trailing: bool) -> None:
    old = DECK.encode().replace(b"\n", newline)
    if not trailing:
        old = old.rstrip()
    path = write(tmp_path / "decks" / "mine.md", old)
    where = {s.title: s for s in capture.sections(old)}
    assert list(where) == ["", "Convolutions", "Convolutions / Padding", "Later"]
    for title, before in (("Convolutions", b"## Padding"), ("Convolutions / Padding", b"# Later"), ("", None)):
        current = path.read_bytes()
        added = capture.add_card(tmp_path / "decks", "mine.md", card(question=f"In {title or 'the end'}?"), capture.sections(current)[[s.title for s in capture.sections(current)].index(title)], SpecIndex())
        new = path.read_bytes()
        question = f"In {title or 'the end'}?"
        inserted = inserted_part(current, new)
        assert inserted.strip().startswith(f"Q: {question}".encode())  # one block added, nothing else changed
        assert inserted.strip().endswith(b"expect: 8") and inserted.count(b"Q:") == 1
        assert (newline == b"\r\n") == (b"\r\n" in inserted) and b"\n\n" not in inserted.replace(b"\r", b"").strip()
        cut = current.index(before) if before else len(current)
        assert new.endswith(current[cut:])  # before the next heading
        deck = parse_file(path, SpecIndex())
        assert deck.ok, deck.errors
        placed = next(c for c in deck.cards if c.line == added.line)
        assert placed.kind is CardKind.PREDICT and placed.section == (title or "Later") and placed.question == question
    assert check(path)[0] == 0
    assert not [p for p in path.parent.iterdir() if p.name != "mine.md"]  # no temporary file left


def test_a_card_the_deck_format_refuses_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.md", DECK.encode())
    stamp = path.stat().st_mtime_ns
    with pytest.raises(CaptureError, match=r"the card would not be valid: .*mine.md:\d+: tolerance 'lots'"):
        capture.add_card(tmp_path, "mine.md", card(tolerance="lots"), known_demos=SpecIndex())
    with pytest.raises(CaptureError, match="card needs a question"):
        capture.add_card(tmp_path, "mine.md", card(question="  "), known_demos=SpecIndex())
    assert path.read_bytes() == DECK.encode() and path.stat().st_mtime_ns == stamp
    broken = write(tmp_path / "broken.md", b"# A\n\nQ: no answer\n")
    with pytest.raises(CaptureError, match=r"a problem to fix first: .*broken.md:3"):
        capture.add_card(tmp_path, "broken.md", card(), known_demos=SpecIndex())
    assert broken.read_bytes() == b"# A\n\nQ: no answer\n"
    capture.add_card(tmp_path, "mine.md", card(), known_demos=SpecIndex())
    with pytest.raises(CaptureError, match="duplicate card"):  # the same card twice
        capture.add_card(tmp_path, "mine.md", card(), known_demos=SpecIndex())


def test_only_files_inside_the_decks_folder(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (tmp_path / "bundled.md").write_text("# B\n")
    (decks / "link.md").symlink_to(tmp_path / "bundled.md")
    for name in ("../bundled.md", str(tmp_path / "bundled.md"), ".hidden/x.md", "link.md", ""):
        with pytest.raises(CaptureError):
            capture.add_card(decks, name, card(), known_demos=SpecIndex())
    assert (tmp_path / "bundled.md").read_text() == "# B\n"
    added = capture.add_card(decks, "new/topic", card(), known_demos=SpecIndex())
    assert added.path == decks / "new" / "topic.md"
    assert capture.own_decks(decks) == [Path("link.md"), Path("new/topic.md")]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.md", b"# A\n")
    with pytest.raises(CaptureError, match="changed while the card was being written"):
        capture._replace(path, b"# what was read\n", b"# A\n\nQ: x\n")
    assert path.read_bytes() == b"# A\n" and os.listdir(tmp_path) == ["mine.md"]


def test_the_default_section_is_where_the_demos_cards_are(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.md", (DECK + "\n# Demos\n\ndemo: conv-arithmetic\n\nQ: Kernel?\nA: Yes.\n\n# After\n\nQ: z?\nA: z.\n").encode())
    assert capture.section_for_demo(path, "conv-arithmetic", SpecIndex()) == Section("Demos", 19)
    assert capture.section_for_demo(path, "backprop", SpecIndex()) == Section("")
    assert capture.section_for_demo(tmp_path / "none.md", "backprop") == Section("")


def test_only_finite_declared_metrics_can_be_predicted() -> None:
    usable = capture.usable_metrics(SPEC, {**METRICS, "pooled_size": float("nan"), "other": 1.0})
    assert [m.name for m in usable] == ["output_size", "max_abs_diff_conv", "max_abs_diff_pool", "sizes_match"]
    assert capture.draft(SPEC, PARAMS, METRICS, "sizes_match").tolerance == "0.5"
    with pytest.raises(CaptureError):
        capture.draft(SPEC, PARAMS, METRICS, "no_such_metric")
