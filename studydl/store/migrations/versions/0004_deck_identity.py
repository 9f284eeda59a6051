"""Deck identity without absolute paths: a deck is its root and its path inside that root.

`decks.source_path` (absolute, unique) becomes `root` + `rel_path` (unique together)
plus `path`, where the file was last read (shown and opened, never matched on);
`cards.source_path` goes: a card's file is its deck's. Existing decks are keyed by
where their file is: under the bundled decks -> `bundled`, under the home's decks
folder (beside the database) -> `home`, elsewhere -> `dir:<its folder's name>`; a
folder that held three or more decks, every one named like a bundled deck file, was
the bundled decks of an earlier install elsewhere (another clone, another venv) ->
`bundled` too, so an upgrade from there keeps the bundled cards' history.

Revision ID: 0004
Revises: 0003
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BUNDLED_MARK = "/_bundled/decks/"
"""Bundled decks of a wheel install (another Python's site-packages after an upgrade too)."""


def deck_key(path: str, roots: list[tuple[str, Path]]) -> tuple[str, str]:
    """(root, rel_path) of a deck file as studydl.decks.roots keys it, from its absolute path."""
    file = Path(path)
    for name, folder in roots:
        try:
            return name, file.relative_to(folder).as_posix()
        except ValueError:
            continue
    posix = file.as_posix()
    if BUNDLED_MARK in posix:
        return "bundled", posix.split(BUNDLED_MARK, 1)[1]
    return f"dir:{file.parent.name}", file.name


OLD_BUNDLED_MIN = 3
"""Decks of one folder, all named like bundled deck files, that mark an older install's bundled folder."""


def old_bundled_folders(paths: list[str], bundled_names: set[str]) -> set[Path]:
    """Folders that were an earlier install's bundled decks: OLD_BUNDLED_MIN or more decks
    in them, every one named like a current bundled deck file (read from the table: the
    old folder may be gone)."""
    by_folder: dict[Path, list[str]] = {}
    for path in paths:
        file = Path(path)
        by_folder.setdefault(file.parent, []).append(file.name)
    return {
        folder
        for folder, names in by_folder.items()
        if len(names) >= OLD_BUNDLED_MIN and set(names) <= bundled_names
    }


def _bundled_names() -> set[str]:
    from studydl.resources import bundled_decks_dir

    folder = bundled_decks_dir()
    return {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()


def _roots() -> list[tuple[str, Path]]:
    from studydl.resources import bundled_decks_dir

    roots = [("bundled", bundled_decks_dir().resolve())]
    database = op.get_bind().engine.url.database
    if database and op.get_bind().dialect.name == "sqlite":  # (a server's database name is not a path)
        roots.insert(0, ("home", (Path(database).resolve().parent / "decks")))
    return roots


def upgrade() -> None:
    with op.batch_alter_table("decks") as batch:
        batch.add_column(sa.Column("root", sa.String(200)))
        batch.add_column(sa.Column("rel_path", sa.Text))
        batch.add_column(sa.Column("path", sa.Text))
    bind = op.get_bind()
    roots = _roots()
    rows = bind.execute(sa.text("SELECT id, source_path FROM decks ORDER BY id")).all()
    known = [folder for _name, folder in roots]
    unrooted = [source for _id, source in rows if not any(Path(source).is_relative_to(folder) for folder in known)]
    roots += [("bundled", folder) for folder in sorted(old_bundled_folders(unrooted, _bundled_names()))]
    used: set[tuple[str, str]] = set()
    for deck_id, source in rows:
        key = deck_key(source, roots)
        if key in used:  # two folders of the same name: tell them apart by their full path
            key = (f"dir:{Path(source).parent}", Path(source).name)
        used.add(key)
        bind.execute(
            sa.text("UPDATE decks SET root = :root, rel_path = :rel, path = :path WHERE id = :id"),
            {"root": key[0], "rel": key[1], "path": source, "id": deck_id},
        )
    # SQLite rebuilds the table; PostgreSQL alters it in place (a rebuild would drop the
    # primary key that cards' foreign key depends on).
    with op.batch_alter_table("decks", recreate="always" if op.get_bind().dialect.name == "sqlite" else "auto") as batch:
        batch.drop_column("source_path")
        batch.alter_column("root", existing_type=sa.String(200), nullable=False)
        batch.alter_column("rel_path", existing_type=sa.Text, nullable=False)
        batch.alter_column("path", existing_type=sa.Text, nullable=False)
        batch.create_index("ux_decks_root_rel_path", ["root", "rel_path"], unique=True)
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("source_path")


def downgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("source_path", sa.Text, nullable=False, server_default=""))
    op.execute("UPDATE cards SET source_path = (SELECT path FROM decks WHERE decks.id = cards.deck_id)")
    with op.batch_alter_table("decks", recreate="always" if op.get_bind().dialect.name == "sqlite" else "auto") as batch:
        batch.drop_index("ux_decks_root_rel_path")
        batch.alter_column("path", new_column_name="source_path", existing_type=sa.Text, existing_nullable=False)
        batch.drop_column("rel_path")
        batch.drop_column("root")
        batch.create_unique_constraint("uq_decks_source_path", ["source_path"])
