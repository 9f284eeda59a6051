"""The catalogue as a mapping of demo id to its DemoSpec, loaded only for the ids asked for.

Deck checks pass it where a set of ids would do (`demo:` ids are checked against its
keys); a predict card's metric and parameters are checked against the spec of its
demo, so only decks with predict cards import a demo module (never torch).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from studydl.demos.catalogue import get_spec, known_ids
from studydl.demos.errors import BadDemoModule
from studydl.domain.demos import DemoSpec


class SpecIndex(Mapping[str, DemoSpec]):
    """Demo id -> DemoSpec, lazily; a module that fails to load reads as a spec-less id (KeyError)."""

    def __init__(self, demos_dir: Path | None = None) -> None:
        self._dir = demos_dir
        self._ids = known_ids(demos_dir)
        self._specs: dict[str, DemoSpec | None] = {}

    def __getitem__(self, demo_id: str) -> DemoSpec:
        if demo_id not in self._ids:
            raise KeyError(demo_id)
        if demo_id not in self._specs:
            try:
                self._specs[demo_id] = get_spec(demo_id, self._dir)
            except BadDemoModule:
                self._specs[demo_id] = None
        spec = self._specs[demo_id]
        if spec is None:
            raise KeyError(demo_id)
        return spec

    def get(self, demo_id: str, default: DemoSpec | None = None) -> DemoSpec | None:  # type: ignore[override]
        try:
            return self[demo_id]
        except KeyError:
            return default

    def __contains__(self, demo_id: object) -> bool:
        return demo_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)
