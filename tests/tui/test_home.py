"""The deck list: decks and sections with counts, today's progress, the next-due hint, starting a review."""

from __future__ import annotations

from studydl.tui.home_data import until
from studydl.tui.screens.home import HomeScreen
from studydl.tui.screens.review import ReviewScreen
from studydl.tui.widgets.deck_tree import DeckTree, Target
from tests.tui.conftest import press, settle


def tree_lines(app) -> list[str]:
    tree = app.screen.query_one(DeckTree)
    lines = []

    def walk(node, depth):
        lines.append("  " * depth + " ".join(node.label.plain.split()))
        if node.is_expanded:
            for child in node.children:
                walk(child, depth + 1)

    walk(tree.root, 0)
    return lines


async def test_decks_and_sections_with_new_learning_due_counts(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert tree_lines(app) == ["All decks 4 0 0", "  Basics 3 0 0", "  second 1 0 0"]
        await press(pilot, "down", "space")  # space opens a deck's sections
        assert tree_lines(app) == [
            "All decks 4 0 0",
            "  Basics 3 0 0",
            "    Networks 1 0 0",
            "    Tensors 2 0 0",
            "  second 1 0 0",
        ]
        assert app.screen.query_one("#columns").render().plain.split() == ["New", "Learn", "Due"]


async def test_enter_studies_the_node_under_the_cursor(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, ReviewScreen) and (app.screen.deck, app.screen.section) == (None, None)
        await press(pilot, "escape", "down", "space", "down", "enter")
        assert (app.screen.deck, app.screen.section) == ("Basics", "Networks")
        assert app.screen.due.card.question.startswith("What does this line compute?")
        await press(pilot, "space", "4")  # the section's only card: the session ends
        await press(pilot, "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(DeckTree).cursor_node.data == Target("Basics", "Networks")
        assert app.screen.query_one("#progress").render().plain == "Today  1 reviewed · 3 left"


def test_until_reads_like_a_person_would_say_it() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert until(now, now + timedelta(seconds=30)) == "in less than a minute"
    assert until(now, now + timedelta(minutes=5)) == "in 5m"
    assert until(now, now + timedelta(hours=3, minutes=20)) == "in 3h 20m"
    assert until(now, now + timedelta(days=6, hours=2)) == "in 6 days"
    assert until(now, now - timedelta(minutes=1)) == "now"
