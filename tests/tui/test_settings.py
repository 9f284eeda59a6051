"""The settings dialog: values checked, saved with save_settings, theme applied."""

from __future__ import annotations

from textual.widgets import Input, Label, Select

from studydl.engine.settings import load_settings
from studydl.tui.screens.home import HomeScreen
from studydl.tui.screens.settings import SettingsScreen
from tests.tui.conftest import press, settle


async def test_settings_are_saved_and_applied(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        dialog = app.screen
        assert isinstance(dialog, SettingsScreen)
        assert dialog.query_one("#desired_retention", Input).value == "0.9"
        dialog.query_one("#desired_retention", Input).value = "0.85"
        dialog.query_one("#new_per_day", Input).value = "2"
        dialog.query_one("#reviews_per_day", Input).value = "50"
        dialog.query_one("#day_start_hour", Input).value = "6"
        dialog.query_one("#theme", Select).value = "nord"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        assert app.theme == "nord"
        assert app.screen.query_one("#progress").render().plain == "Today  0 reviewed · 3 left"
    saved = load_settings(app.db)
    assert (saved.desired_retention, saved.new_per_day, saved.reviews_per_day, saved.day_start_hour, saved.theme) == (0.85, 2, 50, 6, "nord")


async def test_a_bad_value_is_named_and_nothing_is_saved(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "o")
        app.screen.query_one("#desired_retention", Input).value = "1.5"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, SettingsScreen)
        error = str(app.screen.query_one("#settings-error", Label).render())
        assert error.startswith("Desired retention:") and "0.7 and 0.99" in error
        await press(pilot, "escape")
        assert isinstance(app.screen, HomeScreen)
    assert load_settings(app.db).desired_retention == 0.9


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
