"""A home in tmp_path with two small real decks, a clock that moves only when told, and the app on them."""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from studydl.home import Home
from studydl.tui.app import StudyApp
from studydl.tui.launch import make_app

START = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
HANG_S = 600
"""How long a test waits for a demo's worker thread before calling it hung: a guard, not a
time limit (under `pytest -n 8` on two loaded cores, importing torch alone took over a minute)."""

BASICS = """\
---
deck: Basics
---

# Tensors

Q: What is a tensor?
A: An n-dimensional array.

ReLU :: max(0, x)

# Networks

demo: xor-mlp

Q: What does this line compute?
```python
h = torch.relu(x @ W1 + b1)
```
A: The hidden layer of a two-layer MLP.
"""

SECOND = """\
# Losses

MSE :: mean squared error
"""


class FakeClock:
    """A wall clock for the app and a monotonic one for answer times, both moved by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now
        self.seconds = 1000.0

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.seconds += seconds


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database made once (migrating takes seconds; copying it, nothing)."""
    home = Home(tmp_path_factory.mktemp("template") / "home")
    home.open_db().dispose()
    return home.db_path


@pytest.fixture
def study_home(tmp_path: Path, empty_db: Path) -> Home:
    home = Home(tmp_path / "home").ensure()
    shutil.copy(empty_db, home.db_path)
    write(home.decks_dir / "basics.md", BASICS)
    write(home.decks_dir / "second.md", SECOND)
    return home


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def build_app(study_home: Home, clock: FakeClock):
    """Builds the app the way the CLI does, on the test home (its decks only), not watching."""

    def build(**kwargs) -> StudyApp:
        app = make_app(study_home, clock=clock, deck_roots=[study_home.decks_dir], watch=kwargs.pop("watch", False))
        app.monotonic = clock.monotonic
        for name, value in kwargs.items():
            setattr(app, name, value)
        return app

    return build


@pytest.fixture
def app(build_app) -> StudyApp:
    return build_app()


async def settle(pilot: Pilot) -> None:
    """Wait until no worker (but the folder watcher) is running and the messages they posted are handled."""
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
        if not busy:
            await pilot.pause()
            if not [w for w in app.workers if w.group != "watch" and not w.is_finished]:
                return
            continue
        await app.workers.wait_for_complete(busy)
    raise AssertionError("workers kept starting")


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one at a time, letting each one's engine call finish."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def screen_text(app) -> list[str]:
    """The screen as the terminal shows it, one string per row (as a screenshot, without styles)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False).splitlines()
