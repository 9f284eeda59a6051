"""Where deck files are, and the key that names a deck whatever machine it is on.

A deck is known by its root and its path inside that root (docs/deck-format.md,
"Deck files and their identity"):

- `bundled`: the decks that ship with studydl;
- `home`: the decks folder of the learner's home; a file there with the same path
  as a bundled deck is the learner's copy of it and replaces it;
- `dir:NAME`: any other folder given to `studydl sync`, known by its name, so the
  same folder checked out at different places on two machines is the same decks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from studydl.domain.errors import DeckProblem

BUNDLED = "bundled"
HOME = "home"
DIR_PREFIX = "dir:"


@dataclass(frozen=True, order=True)
class DeckKey:
    """A deck's identity: its root and its `/`-separated path inside it."""

    root: str
    rel_path: str

    def __str__(self) -> str:
        return f"{self.root}/{self.rel_path}"


def origin(root: str) -> str:
    """How a deck is shown: `bundled`, or `yours` (the home's decks and any folder you sync)."""
    return "bundled" if root == BUNDLED else "yours"


@dataclass(frozen=True)
class DeckFile:
    """A deck file found by a sync: where it is and what deck it is."""

    path: Path
    key: DeckKey


@dataclass(frozen=True)
class Scope:
    """A folder read whole by a sync: a deck under it whose file is gone was deleted."""

    root: str
    prefix: str
    """`/`-separated folder inside the root, "" for the whole root."""

    def covers(self, key: DeckKey) -> bool:
        return key.root == self.root and (not self.prefix or key.rel_path.startswith(self.prefix + "/"))


@dataclass
class Found:
    files: list[DeckFile] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    shadowed: list[DeckFile] = field(default_factory=list)
    """Bundled decks the home has a copy of (the copy is read instead)."""
    problems: list[DeckProblem] = field(default_factory=list)


@dataclass(frozen=True)
class DeckRoots:
    """The named roots of one home: `bundled` and `home` (either may be absent)."""

    named: Mapping[str, Path] = field(default_factory=dict)

    @classmethod
    def of(cls, bundled: Path | None = None, home: Path | None = None) -> DeckRoots:
        named = {}
        if home is not None:
            named[HOME] = home.expanduser().resolve()
        if bundled is not None:
            named[BUNDLED] = bundled.expanduser().resolve()
        return cls(named)

    def folder(self, root: str) -> Path | None:
        return self.named.get(root)

    def _named_key(self, path: Path) -> DeckKey | None:
        best: DeckKey | None = None
        depth = -1
        for name, folder in self.named.items():
            inside = path == folder or folder in path.parents
            if inside and len(folder.parts) > depth:  # the innermost root wins
                depth = len(folder.parts)
                best = DeckKey(name, path.relative_to(folder).as_posix())
        return best

    def key_of(self, path: Path, folder: Path | None = None) -> DeckKey:
        """The key of a deck file; `folder` is the folder the sync was given, if any."""
        named = self._named_key(path)
        if named is not None:
            return named
        base = folder if folder is not None else path.parent
        return DeckKey(DIR_PREFIX + base.name, path.relative_to(base).as_posix())

    def scope_of(self, folder: Path) -> Scope:
        named = self._named_key(folder)
        if named is not None:
            return Scope(named.root, "" if named.rel_path == "." else named.rel_path)
        return Scope(DIR_PREFIX + folder.name, "")

    def file_of(self, key: DeckKey, last_path: str | None = None) -> Path | None:
        """Where the deck's file is on this machine (its last known place for a `dir:` root)."""
        folder = self.folder(key.root)
        if folder is not None:
            return folder / key.rel_path
        return Path(last_path) if last_path else None

    def copy_target(self, key: DeckKey) -> Path | None:
        """Where the learner's own copy of a bundled deck goes: the same path in the home's decks."""
        home = self.folder(HOME)
        return home / key.rel_path if key.root == BUNDLED and home is not None else None

    def find(self, paths: Iterable[Path]) -> Found:
        """The `.md` files under the given files and folders (folders recursively, hidden ones skipped).

        A bundled deck with a copy in the home's decks folder is left out (the copy replaces it).
        """
        found = Found()
        seen: set[Path] = set()
        for raw in paths:
            path = raw.expanduser().resolve()
            if path.is_dir():
                found.scopes.append(self.scope_of(path))
                for file in sorted(path.rglob("*.md")):
                    if file not in seen and not any(p.startswith(".") for p in file.relative_to(path).parts):
                        seen.add(file)
                        found.files.append(DeckFile(file, self.key_of(file, path)))
            elif path.is_file() and path.suffix.lower() != ".md":
                found.problems.append(DeckProblem(raw, 1, "not a deck file: decks are Markdown files ending in .md"))
            elif path.is_file():
                if path not in seen:
                    seen.add(path)
                    found.files.append(DeckFile(path, self.key_of(path)))
            else:
                found.problems.append(DeckProblem(raw, 1, "no such file or folder"))
        home = self.folder(HOME)
        kept: dict[DeckKey, DeckFile] = {}
        for file in found.files:
            if file.key.root == BUNDLED and home is not None and (home / file.key.rel_path).is_file():
                found.shadowed.append(file)
            elif file.key in kept:  # two folders of the same name, each with this file
                first = kept[file.key].path
                found.problems.append(
                    DeckProblem(file.path, 1, f"the same deck as {first} (both are {file.key}): sync one of the two folders, or rename one")
                )
            else:
                kept[file.key] = file
        found.files = list(kept.values())
        return found
