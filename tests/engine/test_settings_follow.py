"""Settings never go stale: written field by field; an open session takes up what another process changed."""

from __future__ import annotations

from sqlalchemy import text

from studydl.domain.review import Rating
from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, check_parameters
from studydl.engine.history import logged_answers, replay, stored_memory
from studydl.engine.optimize import save_parameters
from studydl.engine.scheduler import CardScheduler
from studydl.engine.session import ReviewSession
from studydl.engine.settings import RECOMPUTE_PENDING, load_settings, save_changes
from studydl.store import schema, sync_triggers
from tests.backends import open_db
from tests.engine.engine_samples import card_ids

FITTED = check_parameters([round(x * 1.1, 4) if i < 4 else x for i, x in enumerate(DEFAULT_PARAMETERS)])


def test_saving_one_field_keeps_what_another_process_wrote(synced, home) -> None:
    stale = load_settings(synced)  # read before the other process optimizes
    other = open_db(home)
    save_parameters(other, FITTED, None)
    other.dispose()
    save_changes(synced, {"theme": "nord", "new_per_day": 7})
    fresh = load_settings(synced)
    assert (fresh.theme, fresh.new_per_day, fresh.parameters) == ("nord", 7, FITTED)
    assert stale.parameters is None


def test_an_open_session_takes_up_new_parameters_and_limits(synced, home, clock) -> None:
    session = ReviewSession(synced, "Other", clock=clock)  # follows the store
    first = session.next_card()
    assert session.scheduler.model.parameters == DEFAULT_PARAMETERS
    other = open_db(home)
    save_parameters(other, FITTED, None)
    save_changes(other, {"desired_retention": 0.8, "new_per_day": 1})
    other.dispose()
    due = session.next_card()
    assert session.scheduler.model.parameters == FITTED and session.settings.desired_retention == 0.8
    assert due.card.id == first.card.id and session.counts().new == 1
    expected = CardScheduler(load_settings(synced)).preview(due.card.id, stored_memory(synced, due.card.id), clock.now)
    assert due.intervals == expected
    session.answer(due.card.id, Rating.EASY)
    assert session.next_card() is None  # the new limit of 1 a day holds


def test_an_upgraded_database_recomputes_memory_states_from_the_log(synced, home, clock) -> None:
    """Memory states written before study days (migration 0005) are recomputed once, from the log."""
    session = ReviewSession(synced, "Other", clock=clock)
    card_id = card_ids(synced, "Other")[0]
    for hours, rating in ((0, Rating.GOOD), (0.2, Rating.GOOD), (59, Rating.GOOD), (11 * 24 + 13, Rating.HARD)):
        clock.advance(hours=hours)
        session.answer(card_id, rating)
    right = stored_memory(synced, card_id)
    # As an older studydl left it: schema 0004 (the one before 0005), the memory state computed from real elapsed time.
    with synced.write() as s:
        s.execute(text("update cards set stability = 99.0, difficulty = 9.9 where id = :id"), {"id": card_id})
        s.execute(text("update alembic_version set version_num = '0004'"))
        for trigger in sync_triggers.NAMES if synced.dialect == "sqlite" else ():  # added after 0004 (0009)
            s.execute(text(f"drop trigger {trigger}"))
        for index in ("ux_review_log_event", "ix_review_log_unsynced", "ix_cards_deck_section", "ix_cards_buried"):
            s.execute(text(f"drop index {index}"))  # (the last two added after 0004 (0010))
        for table in ("sync_events", "sync_marks", "sync_state"):
            s.execute(text(f"drop table {table}"))
        s.execute(text("alter table review_log drop column event_id"))
        for table, column in (("cards", "answer_check"), ("review_log", "kind"), ("review_log", "detail")):
            s.execute(text(f"alter table {table} drop column {column}"))  # added after 0004 (0007)
        for table in ("deck_options", "presets"):  # added after 0004 (0008)
            s.execute(text(f"drop table {table}"))
    synced.dispose()
    reopened = open_db(home)
    with reopened.read() as s:
        assert s.execute(text("select version_num from alembic_version")).scalar() == schema.HEAD
    # A SQLite file is copied before it is migrated; a server migrates in one transaction.
    assert (reopened.backup_path is not None) == (reopened.dialect == "sqlite")
    with reopened.read() as s:
        assert s.execute(schema_key_query()).scalar() == "true"
    settings = load_settings(reopened)  # finishes the upgrade
    fixed = stored_memory(reopened, card_id)
    assert (fixed.stability, fixed.difficulty) == (right.stability, right.difficulty)
    assert fixed.due == right.due  # due dates are left as they were
    start, answers = logged_answers(reopened, card_id)
    assert replay(card_id, answers, settings, start).stability == fixed.stability
    with reopened.read() as s:
        assert s.execute(schema_key_query()).scalar() is None
    reopened.dispose()


def schema_key_query():  # noqa: ANN201
    from sqlalchemy import select

    from studydl.store.models import SettingRow

    return select(SettingRow.value).where(SettingRow.key == RECOMPUTE_PENDING)
