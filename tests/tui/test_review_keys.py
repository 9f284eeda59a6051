"""Issue 22's review rough edges, at 80x24: the proposed rating shown, `d` on every kind of card,
keys pressed while the first card loads, a re-read card keeping its check, cram's buttons and counts."""

from __future__ import annotations

import asyncio
import io
import threading

from rich.console import Console
from textual.widgets._footer import FooterKey

from studydl.domain.review import Rating
from studydl.tui.messages import DecksChanged
from studydl.tui.screens.demo import DemoScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.answer_bar import AnswerBar
from studydl.tui.widgets.card_view import CardPanel
from tests.tui.conftest import HANG_S, FakeClock, press, screen_text, settle, write
from tests.tui.test_review_checks import CHECKS, PREDICT, keys

SIZE = (80, 24)


def shown(app, selector: str) -> str:  # noqa: ANN001
    """A part of the card panel as a terminal without colour shows it."""
    out = io.StringIO()
    Console(file=out, width=78, color_system=None).print(app.screen.query_one(CardPanel).part(selector.removeprefix("#")) or "")
    return out.getvalue()


async def visible(pilot) -> list[str]:  # noqa: ANN001
    """The screen's rows as the terminal shows them now."""
    await pilot.pause()
    return screen_text(pilot.app)


async def footer(pilot) -> str:  # noqa: ANN001
    return (await visible(pilot))[-1]


async def review(pilot, deck: str, cram: bool = False) -> ReviewScreen:  # noqa: ANN001
    await settle(pilot)
    pilot.app.action_review(deck, cram=cram)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def buttons(screen: ReviewScreen) -> dict[str, tuple[str, bool]]:
    """Each answer button's text, and whether Enter presses it."""
    bar = screen.query_one(AnswerBar)
    return {f"answer-{rating.name.lower()}": (bar.label(rating), bar.proposed is rating) for rating in Rating}


def demo_key(app) -> FooterKey:  # noqa: ANN001
    return next(key for key in app.screen.query(FooterKey) if key.action == "demo")


async def test_a_checked_answer_shows_the_rating_enter_gives_in_words_on_its_button_and_in_glyphs(study_home, build_app) -> None:
    write(study_home.decks_dir / "checks.md", CHECKS)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, "Checks")
        await press(pilot, *keys("the forgt gaxe"), "enter")
        check = shown(app, "#check")
        assert "Enter: Again" in check
        lines = check.splitlines()
        typed, marks = lines[0], lines[1]
        assert typed.startswith("you typed: the forgt ga")
        assert marks[typed.index("gaxe") + 2] == "~", check  # the wrong x, marked without colour
        expected_at = next(i for i, line in enumerate(lines) if line.startswith("expected:"))
        assert lines[expected_at + 1][lines[expected_at].index("forget") + 4] == "^", check  # the missed e
        label, proposed = buttons(screen)["answer-again"]
        assert proposed and label.startswith("⏎ 1 Again")
        assert not any(p for key, (_l, p) in buttons(screen).items() if key != "answer-again")
        assert "Enter: Again" in "\n".join(await visible(pilot))


async def test_d_on_a_predict_card_says_when_and_opens_the_demo_with_the_drawn_parameters(study_home, build_app) -> None:
    write(study_home.decks_dir / "predict.md", PREDICT)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, "Predict")
        assert "d once you have predicted" in shown(app, "#demo-marker")
        assert "d Demo" not in await footer(pilot)  # (d types into the prediction box)
        drawn = dict(screen.params)
        assert set(drawn) == {"curvature"}
        await press(pilot, *f"{2 / float(drawn['curvature']):.3f}", "enter")
        await settle(pilot)
        assert screen.revealed and "d Demo" in await footer(pilot) and not demo_key(app).has_class("-disabled")
        assert "(d)" in shown(app, "#demo-marker")
        await press(pilot, "d")
        demo = app.screen
        assert isinstance(demo, DemoScreen)
        assert demo._params["curvature"] == drawn["curvature"]  # the card's draw, not the default
        await pilot.press("escape")
        assert await asyncio.to_thread(demo.finished_event.wait, HANG_S)
        await settle(pilot)
        assert app.screen is screen


async def test_d_on_a_card_without_a_demo_says_so_and_the_footer_shows_it_dimmed(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, "Basics")
        assert screen.due.card.demo_id is None
        assert "d Demo" in await footer(pilot) and demo_key(app).has_class("-disabled") and "e Edit" in await footer(pilot)
        await press(pilot, "d")
        assert any("no demo" in str(n.message) for n in app._notifications)


async def test_a_reread_card_keeps_its_prediction_and_verdict(study_home, build_app) -> None:
    write(study_home.decks_dir / "predict.md", PREDICT)
    app = build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, "Predict")
        curvature = float(screen.params["curvature"])
        await press(pilot, *f"{2 / curvature:.3f}", "enter")
        await settle(pilot)
        task, check = shown(app, "#task"), shown(app, "#check")
        assert "curvature" in task and "measured" in check
        screen.post_message(DecksChanged())  # what `e` ends with: the deck synced, the card re-read
        await settle(pilot)
        assert screen.revealed
        assert shown(app, "#task") == task and shown(app, "#check") == check
        assert screen.query_one(CardPanel).showing("check") and screen.query_one(CardPanel).showing("task")


class GatedClock(FakeClock):
    """The test clock; while `gate` is closed, a worker thread that asks the time waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self):  # noqa: ANN204
        if threading.current_thread() is not threading.main_thread():
            assert self.gate.wait(30)
        return super().__call__()


async def test_keys_pressed_while_the_first_card_loads_are_applied_to_it(study_home) -> None:
    from tests.tui.conftest import make_app

    clock = GatedClock()
    app = make_app(study_home, clock=clock, deck_roots=[study_home.decks_dir], watch=False)
    app.monotonic = clock.monotonic
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clock.gate.clear()  # the review's worker now waits: the screen is loading
        app.action_review("Basics")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.due is None
        await pilot.press("space")
        await pilot.press("d")
        assert not screen.revealed
        clock.gate.set()
        await settle(pilot)
        assert screen.due is not None and screen.revealed  # space, pressed before the card was there
        assert any("no demo" in str(n.message) for n in app._notifications)  # and d, answered


async def test_cram_buttons_say_when_a_card_ends_and_the_counts_are_a_cram(app) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await review(pilot, "Basics", cram=True)
        text = "\n".join(await visible(pilot))
        assert "Cram" in text and "to go" in text and "Review " not in text
        await press(pilot, "space")
        labels = {key: label for key, (label, _p) in buttons(screen).items()}
        assert labels["answer-good"].endswith("end") and labels["answer-easy"].endswith("end")
        assert labels["answer-again"] == "1 Again  1m"
        await press(pilot, "1")
        assert "coming back" in "\n".join(await visible(pilot))
