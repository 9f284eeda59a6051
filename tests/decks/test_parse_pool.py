"""Parsing a large sync's files on two cores gives exactly the decks one process gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import studydl.decks.parser as parser
from studydl.decks.parse_pool import parse_many
from tests.decks.first_import_helpers import write_folder


def _files(tmp_path: Path) -> list[tuple[Path, bytes]]:
    folder = write_folder(tmp_path / "decks", generated=400, per_file=50)
    (folder / "broken.md").write_text("a :: b\n\nQ: no answer\n")
    (folder / "binary.md").write_bytes(b"a :: b\x00\n")
    (folder / "predict.md").write_text("Q: c?\nA: d.\ndemo: learning-rate\npredict: limit_lr\ntolerance: 5%\nvary: curvature=2..10\n")
    return [(path, path.read_bytes()) for path in sorted(folder.rglob("*.md"))]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files parsed in this process (a worker's are not)."""
    parsed: list[Path] = []
    real = parser.parse_bytes

    def counted(path, data, known_demos=None):  # noqa: ANN001, ANN202
        parsed.append(path)
        return real(path, data, known_demos)

    monkeypatch.setattr(parser, "parse_bytes", counted)
    return parsed


@pytest.mark.parametrize("demos", [None, {"xor-mlp"}, "catalogue"])
def test_two_cores_share_the_files_and_give_the_same_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demos) -> None:  # noqa: ANN001
    """The same decks, problems included, whatever the demo catalogue is (the real one checks predict cards' parameters)."""
    from studydl.demos.spec_index import SpecIndex

    known = SpecIndex() if demos == "catalogue" else demos
    files = _files(tmp_path)
    alone = [parser.parse_bytes(path, data, known) for path, data in files]
    here = _counting(monkeypatch)
    shared = parse_many(files, known, min_bytes=0, cores=2)
    assert shared == alone
    assert [deck.errors for deck in shared] == [deck.errors for deck in alone]
    assert [[card.content_hash for card in deck.cards] for deck in shared] == [[card.content_hash for card in deck.cards] for deck in alone]
    assert 0 < len(here) < len(files)  # the worker parsed the rest


def test_a_small_sync_parses_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path)
    here = _counting(monkeypatch)
    parse_many(files, cores=2)
    assert len(here) == len(files)


def test_a_worker_that_cannot_start_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path)
    alone = [parser.parse_bytes(path, data) for path, data in files]
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    here = _counting(monkeypatch)
    assert parse_many(files, min_bytes=0, cores=2) == alone
    assert len(here) == len(files)
