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
        await press(pilot, "down", "right")  # right (or space) opens a deck's sections, in the file's order
        assert tree_lines(app) == [
            "All decks 4 0 0",
            "  Basics 3 0 0",
            "    Tensors 2 0 0",
            "    Networks 1 0 0",
            "  second 1 0 0",
        ]
        assert app.screen.query_one("#columns").render().plain.split() == ["New", "Learn", "Due"]
        await press(pilot, "down", "left")  # left goes up to the deck, then closes it
        assert app.screen.query_one(DeckTree).cursor_node.data == Target("Basics")
        await press(pilot, "left")
        assert tree_lines(app) == ["All decks 4 0 0", "  Basics 3 0 0", "  second 1 0 0"]


async def test_the_new_column_shows_all_new_cards_when_the_daily_limit_leaves_fewer(app) -> None:
    from studydl.engine.settings import save_changes

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        save_changes(app.db, {"new_per_day": 2})
        app.screen.reload()
        await settle(pilot)
        assert tree_lines(app) == ["All decks 3/4 0 0", "  Basics 2/3 0 0", "  second 1 0 0"]


async def test_enter_studies_the_node_under_the_cursor(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, ReviewScreen) and (app.screen.deck, app.screen.section) == (None, None)
        await press(pilot, "escape", "down", "space", "down", "down", "enter")
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


NESTED = """\
# Layers

## Dense

Dense :: every input joined to every output

# Losses

MSE :: mean squared error
"""


async def test_counts_stay_in_their_columns_for_leaves_and_branches_at_80x24(build_app, study_home) -> None:
    """A section without sub-sections has no expand icon; its counts still line up under the headings."""
    from tests.tui.conftest import screen_text, write

    write(study_home.decks_dir / "nested.md", NESTED)
    app = build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(DeckTree)
        for node in list(tree.root.children):
            node.expand_all()
        await pilot.pause()
        rows = screen_text(app)
        heading = next(row for row in rows if row.split() == ["New", "Learn", "Due"])
        ends = {len(row.rstrip()) for row in rows if row.strip() and row.rstrip()[-1].isdigit() and "reviewed" not in row}
        shown = [" ".join(row.split()) for row in rows]
        assert "│ ├── Dense 1 0 0" in " ".join(shown) or any(r.endswith("Dense 1 0 0") for r in shown)
        assert any(r.endswith("Losses 1 0 0") for r in shown)
        assert ends == {len(heading.rstrip())}, "\n".join(rows)


async def test_left_goes_down_with_each_new_card_and_learning_cards_are_counted_apart(app) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        progress = app.screen.query_one("#progress")
        assert progress.render().plain == "Today  0 reviewed · 4 left"
        await press(pilot, "a", "space", "3")  # a new card answered Good: learning, back in 10 minutes
        await press(pilot, "escape")
        assert progress.render().plain == "Today  1 reviewed · 3 left · 1 learning"
        await press(pilot, "a", "space", "3", "escape")
        assert progress.render().plain == "Today  2 reviewed · 2 left · 2 learning"
