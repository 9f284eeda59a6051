"""Item 5: the server is a plain PostgreSQL database: two tables, unique ids doing the deduplication.

No studydl code runs on it (no function, trigger or extension of ours), `pg_dump` backs
a learner's log up, and learners sharing a server each have a schema of their own.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from studydl.domain.errors import StoreError
from studydl.replica.server import SCHEMA, open_log
from studydl.store.db import Database
from studydl.store.location import locate
from tests.pg_server import USER, PgServer
from tests.replica.devices import QUESTIONS, Device, converged, server_answers


def test_the_shared_log_is_two_plain_tables_and_pg_dump_backs_it_up(tmp_path: Path, pg_server: PgServer) -> None:
    ann, bob = pg_server.new_shared_log(), pg_server.new_shared_log()
    laptop, other = Device(tmp_path / "ann", ann), Device(tmp_path / "bob", bob)
    laptop.answer(QUESTIONS[0], 3)
    other.answer(QUESTIONS[1], 1)
    laptop.sync()
    other.sync()
    schema = ann.rsplit("%3D", 1)[1]
    with pg_server.admin() as con:
        objects = con.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        functions = con.execute("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s", (schema,)).fetchone()
    assert [name for name, kind in objects if kind == "r"] == ["devices", "events"]
    assert functions == (0,)
    assert len(server_answers(ann)[0]) == 1 and len(server_answers(bob)[0]) == 1  # one schema per learner
    dump = subprocess.run(
        [str(pg_server.bin_dir / "pg_dump"), "-h", "127.0.0.1", "-p", str(pg_server.port), "-U", USER, "-n", schema, "studydl_tests"],
        capture_output=True, text=True, timeout=60,
    )
    assert dump.returncode == 0, dump.stderr
    assert "CREATE TABLE" in dump.stdout and "COPY" in dump.stdout and "FUNCTION" not in dump.stdout
    laptop.close()
    other.close()


def test_a_server_restored_from_an_older_dump_gets_back_what_it_lost(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    laptop.answer(QUESTIONS[0], 3)
    laptop.sync()
    desktop.sync()
    laptop.answer(QUESTIONS[1], 3)
    desktop.answer(QUESTIONS[2], 1)
    laptop.sync()
    desktop.sync()
    conninfo = locate(url).url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as con:  # the dump taken after the first answer, restored
        con.execute("DELETE FROM events WHERE pos > (SELECT min(pos) FROM events)")
    assert len(server_answers(url)[0]) == 1
    laptop.sync()
    desktop.sync()
    laptop.sync()
    converged(url, [laptop, desktop], given=3)
    laptop.close()
    desktop.close()


def test_the_unique_id_deduplicates_a_push_sent_twice(pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    from datetime import UTC, datetime

    from studydl.replica.events import Event

    event = Event("e1", "d1", datetime(2026, 3, 2, tzinfo=UTC), "answer", "u1", {"rating": 3})
    with open_log(locate(url)) as log:
        log.ensure_tables()
        log.register("d1", "laptop")
        assert log.push("d1", [event]) == 1
        assert log.push("d1", [event]) == 0
        assert [e.id for _, e in log.pull(0, 10, "d2")] == ["e1"]


def test_a_collection_used_directly_is_not_taken_for_a_shared_log(pg_server: PgServer) -> None:
    direct = pg_server.new_collection()
    Database(direct).dispose()  # studydl's tables, as `copy-to` or an older studydl made them
    with (
        pytest.raises(StoreError, match=r"holds a collection that devices use directly .* add \?studydl=direct"),
        open_log(locate(direct.replace("studydl=direct&", ""))) as log,
    ):
        log.ensure_tables()


def test_the_schema_is_the_documented_one() -> None:
    documented = Path(__file__).resolve().parents[2].joinpath("docs", "devices.md").read_text(encoding="utf-8")
    assert SCHEMA.strip() in documented  # what an administrator may run by hand is what studydl runs
    assert psycopg  # (the driver the tests read the server with)
