"""The footer every studydl screen shows: Textual's, rebuilt only when its keys change.

Textual's Footer removes and mounts all its keys on every bindings refresh, and a
screen refreshes its bindings whenever what its keys can do changes (a review card
answered, revealed, undoable): a new frame's worth of widgets, twice per card, though
the footer usually looks the same. This one compares what it would show and rebuilds
only when a key appears, goes or changes; a key merely enabled or disabled is updated
in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str], ...]
"""(key, description, action) of each key the footer shows, in order."""


def shown_keys(screen: Screen) -> tuple[Shown, tuple[bool, ...]]:
    """What the footer would show on `screen`, and which of those keys are enabled."""
    keys, enabled = [], []
    seen: set[str] = set()
    for _node, binding, is_enabled, _tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in seen:
            seen.add(binding.action)
            keys.append((binding.key, binding.description, binding.action))
            enabled.append(bool(is_enabled))
    return tuple(keys), tuple(enabled)


class StudyFooter(Footer):
    """A Footer that skips rebuilds which would change nothing on screen; at its right, what
    the app says about the shared log ("offline, 3 answers waiting"), when it says anything."""

    DEFAULT_CSS = """
    StudyFooter FooterLabel.sync-status { dock: right; padding: 0 1; color: $text-warning; }
    """
    _shown: Shown | None = None
    _status = ""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        self._status = getattr(self.app, "sync_status", "")
        if self._status and self._bindings_ready:
            yield FooterLabel(self._status, classes="sync-status")

    def show_status(self, text: str) -> None:
        """Say this about the shared log (nothing: "")."""
        self._status = text
        shown = self.query(".sync-status")
        if shown and text:
            shown.first(FooterLabel).update(text)
        elif shown:
            shown.remove()
        elif text and self._bindings_ready:
            self.mount(FooterLabel(text, classes="sync-status"))

    def bindings_changed(self, screen: Screen) -> None:
        if not (self.is_attached and screen is self.screen and screen.app.app_focus):
            super().bindings_changed(screen)
            return
        keys, enabled = shown_keys(screen)
        if keys != self._shown or not self._bindings_ready:
            self._shown = keys
            super().bindings_changed(screen)
            return
        on = dict(zip((action for _key, _description, action in keys), enabled, strict=True))
        for key in self.query(FooterKey):
            if key.action in on and key._disabled == on[key.action]:
                key._disabled = not on[key.action]
                key.set_class(key._disabled, "-disabled")
