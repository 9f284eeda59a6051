"""What can conflict, and how it is decided: a card's suspend and flag, settings, presets and decks' options.

The newest change wins, by the time it was made (on its device's clock), the device id
breaking a tie; every device ends with the same. A change that changes nothing is no
event, and a device joining the log with its settings untouched takes the log's.
"""

from __future__ import annotations

from pathlib import Path

from studydl.engine.presets import write_deck_options, write_preset_fields
from studydl.engine.settings import load_settings, save_setting
from studydl.replica.capture import capture
from tests.pg_server import PgServer
from tests.replica.devices import QUESTIONS, Device, converged


def changed_at(device: Device, when: str) -> None:
    """Date every change the device noted since its last sync (its triggers use the real clock)."""
    with device.db.raw_write() as con:
        con.execute("UPDATE sync_marks SET at = ?", (when,))


def card_fields(device: Device, question: str) -> tuple[bool, int]:
    with device.db.raw_read() as con:
        suspended, flag = con.execute("SELECT suspended, flag FROM cards WHERE question = ?", (question,)).fetchone()
    return bool(suspended), int(flag)


def test_a_card_suspended_on_one_device_and_flagged_on_both_ends_alike(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    laptop.session.suspend(laptop.card_id(QUESTIONS[0]))
    laptop.session.set_flag(laptop.card_id(QUESTIONS[1]), 2)
    changed_at(laptop, "2026-03-02 10:00:00.000")
    desktop.session.set_flag(desktop.card_id(QUESTIONS[1]), 4)  # later: wins
    changed_at(desktop, "2026-03-02 10:05:00.000")
    laptop.answer(QUESTIONS[1], 3)
    desktop.answer(QUESTIONS[1], 1)
    laptop.sync()
    desktop.sync()
    laptop.sync()
    for device in (laptop, desktop):
        assert card_fields(device, QUESTIONS[0]) == (True, 0)
        assert card_fields(device, QUESTIONS[1]) == (False, 4)
    converged(url, [laptop, desktop], given=2)
    desktop.session.unsuspend(desktop.card_id(QUESTIONS[0]))  # undone later on the other device
    desktop.sync()
    laptop.sync()
    assert card_fields(laptop, QUESTIONS[0]) == (False, 0)
    laptop.close()
    desktop.close()


def test_settings_presets_and_deck_options_the_later_change_wins(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop, desktop = Device(tmp_path / "laptop", url), Device(tmp_path / "desktop", url)
    save_setting(laptop.db, "new_per_day", 7)
    save_setting(laptop.db, "fuzz", False)
    with laptop.db.write() as s:
        write_preset_fields(s, "Slow", {"desired_retention": 0.85})
        write_deck_options(s, "Drill", preset="Slow")
    changed_at(laptop, "2026-03-02 10:05:00.000")
    save_setting(desktop.db, "new_per_day", 9)  # earlier than the laptop's: loses
    save_setting(desktop.db, "maximum_interval", 400)  # nobody else touched it: taken
    changed_at(desktop, "2026-03-02 10:00:00.000")
    desktop.sync()
    laptop.sync()
    desktop.sync()
    for device in (laptop, desktop):
        settings = load_settings(device.db)
        assert (settings.new_per_day, settings.fuzz, settings.maximum_interval) == (7, False, 400)
        assert settings.for_deck("Drill").desired_retention == 0.85 and settings.deck_presets == {"Drill": "Slow"}
    laptop.close()
    desktop.close()


def test_a_change_that_changes_nothing_is_no_event_and_a_new_device_takes_the_logs_settings(tmp_path: Path, pg_server: PgServer) -> None:
    url = pg_server.new_shared_log()
    laptop = Device(tmp_path / "laptop", url)
    save_setting(laptop.db, "new_per_day", 7)
    laptop.sync()
    save_setting(laptop.db, "new_per_day", 7)
    with laptop.db.raw_write() as con:
        assert capture(con) == 0
    desktop = Device(tmp_path / "desktop", url)  # joins later, its settings as they came
    desktop.sync()
    assert load_settings(desktop.db).new_per_day == 7
    laptop.sync()
    assert load_settings(laptop.db).new_per_day == 7
    laptop.close()
    desktop.close()
