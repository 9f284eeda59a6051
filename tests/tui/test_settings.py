"""The settings dialog: values checked, saved with save_settings, theme applied."""

from __future__ import annotations

from textual.widgets import Input, Select

from studydl.engine.settings import load_settings
from studydl.tui.screens.home import HomeScreen
from studydl.tui.screens.settings import SettingsScreen
from tests.tui.conftest import press, screen_text, settle


async def test_every_setting_is_offered_saved_and_applied(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        assert isinstance(dialog, SettingsScreen)
        fields = {w.id for w in dialog.query("#settings-form Input, #settings-form Select") if w.id}
        assert fields >= {
            "desired_retention", "learning_steps_min", "relearning_steps_min", "maximum_interval", "fuzz",
            "new_per_day", "reviews_per_day", "day_start_hour", "timezone", "bury_siblings", "leech_threshold",
            "leech_suspend", "theme", "deck-0-new", "deck-0-reviews", "deck-1-new", "deck-1-reviews",
        }  # fmt: skip
        assert dialog.query_one("#desired_retention", Input).value == "0.9"
        assert dialog.query_one("#learning_steps_min", Input).value == "1m 10m"
        values = {
            "desired_retention": "0.85", "new_per_day": "2", "reviews_per_day": "50", "day_start_hour": "6",
            "learning_steps_min": "30s 5m", "relearning_steps_min": "", "maximum_interval": "365",
            "leech_threshold": "5", "timezone": "Europe/Berlin", "deck-0-new": "1",
        }  # fmt: skip
        for name, value in values.items():
            dialog.query_one(f"#{name}", Input).value = value
        dialog.query_one("#fuzz", Select).value = "off"
        dialog.query_one("#bury_siblings", Select).value = "off"
        dialog.query_one("#leech_suspend", Select).value = "tag"
        dialog.query_one("#theme", Select).value = "nord"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        assert app.theme == "nord"
        assert app.screen.query_one("#progress").render().plain == "Today  0 reviewed · 2 left"  # Basics 1, second 1
    saved = load_settings(app.db)
    assert (saved.desired_retention, saved.new_per_day, saved.reviews_per_day, saved.day_start_hour, saved.theme) == (0.85, 2, 50, 6, "nord")
    assert (saved.learning_steps_min, saved.relearning_steps_min, saved.maximum_interval) == ((0.5, 5.0), (), 365)
    assert (saved.fuzz, saved.bury_siblings, saved.leech_threshold, saved.leech_suspend) == (False, False, 5, False)
    assert saved.timezone == "Europe/Berlin" and saved.deck_limits == {"Basics": (1, 50)}


async def test_every_bad_field_is_named_at_once_in_words_and_nothing_is_saved(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        for name, value in {"desired_retention": "", "new_per_day": "x", "timezone": "Europe/Berln", "deck-1-reviews": "-3"}.items():
            dialog.query_one(f"#{name}", Input).value = value
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, SettingsScreen)
        shown = {w.id: str(w.render()) for w in dialog.query(".setting-problem") if w.display}
        assert shown == {
            "new_per_day-problem": "'x' is not a whole number; enter a whole number of cards (0 or more)",
            "desired_retention-problem": "empty: enter a number from 0.70 to 0.99 (e.g. 0.90)",
            "timezone-problem": "'Europe/Berln' is not a time zone name; enter one (did you mean Europe/Berlin?), or leave it empty for this computer's",
            "deck-1-problem": "-3 is out of range; enter a whole number of cards (0 or more)",
        }
        summary = str(dialog.query_one("#settings-problems").render())
        assert summary.startswith("Not saved: fix 4 fields (New cards per day, Desired retention, Time zone, second)")
        assert "could not convert" not in " ".join([summary, *shown.values()])
        assert dialog.query_one("#new_per_day", Input).has_focus  # the first bad field, scrolled into view
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
    saved = load_settings(app.db)
    assert (saved.desired_retention, saved.new_per_day, saved.timezone, saved.deck_limits) == (0.9, 20, "", {})


async def test_at_80x24_every_field_is_reachable_and_save_and_cancel_stay_in_view(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        form = dialog.query_one("#settings-form")
        fields = [w for w in dialog.query("#settings-form Input, #settings-form Select") if w.focusable]
        screen = dialog.region
        reached = set()
        for _ in range(len(fields)):
            focused = dialog.focused
            assert focused is not None and focused in fields
            reached.add(focused.id)
            assert form.region.contains_region(focused.region), focused.id  # scrolled into view
            for button in ("#save", "#cancel"):
                assert screen.contains_region(dialog.query_one(button).region)
            assert "^s Save" in screen_text(app)[-1] and "esc Cancel" in screen_text(app)[-1]
            await press(pilot, "tab")
        assert reached == {w.id for w in fields}


async def test_saving_settings_in_the_app_keeps_parameters_optimized_elsewhere(app) -> None:
    """Regression: the app wrote back every field it loaded at start, undoing `optimize` from another terminal."""
    from studydl.engine.fsrs_model import DEFAULT_PARAMETERS, check_parameters
    from studydl.engine.optimize import save_parameters
    from studydl.store.db import Database

    fitted = check_parameters([x * 1.05 if i < 4 else x for i, x in enumerate(DEFAULT_PARAMETERS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.settings is not None and app.settings.parameters is None
        other = Database(app.db.path)  # `studydl optimize` in another terminal
        save_parameters(other, fitted, None)
        other.dispose()
        app.theme = "nord"  # the theme signal saves the theme alone
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        assert isinstance(dialog, SettingsScreen)
        assert dialog.settings.parameters == fitted  # read afresh on opening
        dialog.query_one("#new_per_day", Input).value = "3"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    saved = load_settings(app.db)
    assert (saved.parameters, saved.theme, saved.new_per_day) == (fitted, "nord", 3)


async def test_presets_are_added_switched_and_given_to_decks_at_80x24(app) -> None:
    """Item 1 in the app: a preset added as a copy, its own retention, a deck given it, another deck's own retention."""
    from studydl.engine.settings import load_settings as load

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        assert dialog.query_one("#preset", Select).value == "Default"
        dialog.query_one("#new_preset", Input).value = "Fast"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert load(app.db).preset_names() == ["Default", "Fast"]
        await press(pilot, "o")
        dialog = app.screen
        decks = dialog.decks
        dialog.query_one("#desired_retention", Input).value = "0.85"  # the Default preset's decks: their workload
        await settle(pilot)
        hint = str(dialog.query_one("#desired_retention-hint").render())
        assert hint.startswith("Approximate workload: 0.") and hint.endswith("x (compared to 90% desired retention)")
        dialog.query_one("#desired_retention", Input).value = "0.9"
        await settle(pilot)
        assert str(dialog.query_one("#desired_retention-hint").render()) == "0.70-0.99: recall odds when due"
        dialog.query_one("#preset", Select).value = "Fast"
        await settle(pilot)
        assert dialog.query_one("#desired_retention", Input).value == "0.9"
        dialog.query_one("#desired_retention", Input).value = "0.8"
        dialog.query_one("#review_order", Select).value = "retrievability-asc"
        dialog.query_one("#easy_days", Input).value = "Sun=minimum"
        dialog.query_one("#preset", Select).value = "Default"  # what was typed for Fast is kept
        await settle(pilot)
        assert dialog.query_one("#desired_retention", Input).value == "0.9"
        dialog.query_one("#new_per_day", Input).value = "7"
        dialog.query_one("#deck-0-preset", Select).value = "Fast"
        dialog.query_one("#deck-1-retention", Input).value = "0.95"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    saved = load(app.db)
    fast = saved.for_preset("Fast")
    assert (fast.desired_retention, fast.review_order, fast.easy_days[6]) == (0.8, "retrievability-asc", 0.0)
    assert (saved.desired_retention, saved.new_per_day, fast.new_per_day) == (0.9, 7, 20)
    assert saved.preset_of(decks[0]) == "Fast" and saved.deck_retention == {decks[1]: 0.95}
    assert saved.for_deck(decks[1]).desired_retention == 0.95 and saved.for_deck(decks[0]).desired_retention == 0.8
