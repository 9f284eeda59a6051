"""The command palette: the app's actions, one review command per deck, and the keys of the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from studydl.tui.host import StudyHost


class Command(NamedTuple):
    title: str
    help: str
    callback: Callable[[], Any]


def app_commands(app: StudyHost) -> Iterator[Command]:
    """What the app can do from anywhere (those that need the store wait until it is open)."""
    if app.db is not None:
        yield Command("Review all decks", "Study every due card", partial(app.action_review, None))
        for name in app.deck_names:
            yield Command(f"Review deck: {name}", f"Study the due cards of {name}", partial(app.action_review, name))
        yield Command("Browse cards", "Search and look through every card", app.action_browse)
        yield Command("Statistics", "Reviews, retention and what is coming due", app.action_stats)
        yield Command("Settings", "Retention, daily limits, day start, theme", app.action_settings)
    yield Command("Sync decks now", "Read the deck files again", app.action_sync)
    if app.deck_errors:
        yield Command("Deck problems", "List the file:line problems of the last sync", app.action_deck_errors)
    yield Command("Help", "Every key of every screen", app.action_help)


def screen_commands(app: StudyHost, screen: Any) -> Iterator[Command]:
    """The enabled, described key bindings of the screen the palette was opened on."""
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description or active.node is app or binding.action in seen:
            continue
        if binding.action.startswith(("command_palette", "app.")):
            continue
        seen.add(binding.action)
        yield Command(
            f"{binding.description} ({app.get_key_display(binding)})",
            binding.tooltip or f"Key: {key}",
            partial(active.node.run_action, binding.action),
        )


class StudyCommands(Provider):
    """Offers every studydl action in the command palette."""

    def _commands(self) -> list[Command]:
        app: StudyHost = self.app  # type: ignore[assignment]
        return [*screen_commands(app, self.screen), *app_commands(app)]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            if (score := matcher.match(command.title)) > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback, help=command.help)
