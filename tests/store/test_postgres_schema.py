"""The schema on a PostgreSQL server: the same tables from the models and from the migrations, versioned like SQLite's."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, inspect, text

from studydl.domain.errors import StoreError
from studydl.store import schema
from studydl.store.db import Database
from studydl.store.location import locate
from tests.pg_server import PgServer


def describe(url: str) -> dict[str, object]:
    """Every table's columns (name, type, nullable, default set), indexes and foreign keys, as the server reports them."""
    engine = create_engine(locate(url).url)
    try:
        with engine.connect() as con:
            found = inspect(con)
            out: dict[str, object] = {}
            for table in sorted(found.get_table_names()):
                out[table] = {
                    "columns": sorted((c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)),
                    "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
                    "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
                    "foreign": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in found.get_foreign_keys(table)),
                    "key": tuple(found.get_pk_constraint(table)["constrained_columns"]),
                }
            return out
    finally:
        engine.dispose()


def test_models_and_migrations_build_the_same_schema_on_postgresql(pg_server: PgServer) -> None:
    fresh, migrated = pg_server.new_collection(), pg_server.new_collection()
    Database(fresh).dispose()
    engine = create_engine(locate(migrated).url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    built = describe(fresh)
    assert set(built) == {"alembic_version", "cards", "deck_options", "decks", "presets", "review_log", "settings", "sync_events", "sync_marks", "sync_state"}
    assert built == describe(migrated)
    assert ("file_mtime_ns", "BIGINT", True) in built["decks"]["columns"]  # nanoseconds need 64 bits
    from studydl.engine.settings import PRESETS_KEY, load_settings, save_changes

    db = Database(migrated)  # 0008's Default preset leaves the id sequence usable for the next preset
    try:
        save_changes(db, {PRESETS_KEY: {"Languages": {"desired_retention": 0.8}}})
        assert load_settings(db).preset_names() == ["Default", "Languages"]
    finally:
        db.dispose()


def test_a_collection_from_a_newer_studydl_is_refused(pg_server: PgServer) -> None:
    url = pg_server.new_collection()
    db = Database(url)
    with db.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    db.dispose()
    with pytest.raises(StoreError, match=r"PostgreSQL server 127\.0\.0\.1:\d+, database studydl_tests: written by a newer studydl"):
        Database(url)


def test_tables_that_are_not_a_collection_are_refused(pg_server: PgServer) -> None:
    url = pg_server.new_collection()
    schema_name = url.rsplit("%3D", 1)[1]
    with pg_server.admin() as con:
        con.execute(f"CREATE TABLE {schema_name}.cards (id int)")
    with pytest.raises(StoreError, match="not a studydl collection"):
        Database(url)


def test_two_devices_opening_an_empty_collection_at_once_create_it_once(pg_server: PgServer) -> None:
    url = pg_server.new_collection()
    opened: list[Database] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def device() -> None:
        try:
            start.wait()
            opened.append(Database(url))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=device) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert not errors, errors
        with opened[0].read() as s:
            assert s.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [schema.HEAD]
    finally:
        for db in opened:
            db.dispose()
