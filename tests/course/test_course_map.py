"""The course map's core: per section, mean FSRS retrievability today, counts, prerequisites, layers."""

from __future__ import annotations

import json

from sqlalchemy import select

from studydl.course.course_map import load_course_map
from studydl.engine.fsrs_model import FsrsModel
from studydl.engine.settings import load_settings
from studydl.store.models import CardRow
from tests.backends import cli_args
from tests.conftest import run_studydl
from tests.course.conftest import forget_once, study


def _expected_recall(db, section: str, now) -> float:  # noqa: ANN001
    """The mean, computed here from the stored memory states and the FSRS formula."""
    days = load_settings(db).study_days()
    model = FsrsModel()
    with db.read() as s:
        rows = s.execute(select(CardRow.stability, CardRow.last_review).where(CardRow.section == section)).all()
    values = [model.retrievability(st, days.days_between(last, now)) for st, last in rows]
    return sum(values) / len(values)


def test_every_section_has_its_recall_counts_and_prerequisites(course, clock) -> None:
    empty = load_course_map(course, clock())
    assert [[n.section for n in row] for row in empty.rows] == [
        ["Chain rule", "Backpropagation"], ["Vanishing gradients"], ["LSTM"]
    ]
    lstm = empty.node("rnn#LSTM")
    assert lstm.prerequisites == ("backprop#Backpropagation", "rnn#Vanishing gradients")
    assert (lstm.cards, lstm.new, lstm.due, lstm.retrievability) == (1, 1, 0, None)

    study(course, clock, "Backprop basics")  # every card Good twice: in review now
    clock.advance(days=9)
    now = clock()
    course_map = load_course_map(course, now)
    backprop = course_map.node("backprop#Backpropagation")
    assert (backprop.cards, backprop.studied, backprop.new) == (2, 2, 0)
    assert 0.5 < backprop.retrievability < 1.0
    assert abs(backprop.retrievability - _expected_recall(course, "Backpropagation", now)) < 1e-12
    assert backprop.due == 2  # graduated with a few days' interval: due by now
    assert course_map.node("rnn#LSTM").retrievability is None


def test_a_lapse_counts_this_week_and_not_after_it(course, clock) -> None:
    study(course, clock, "Backprop basics")
    clock.advance(days=10)
    study(course, clock, "Backprop basics", forget_once("order"))
    node = load_course_map(course, clock()).node("backprop#Backpropagation")
    assert node.lapsed_week == 1
    clock.advance(days=7)
    assert load_course_map(course, clock()).node("backprop#Backpropagation").lapsed_week == 0


def test_map_json_gives_every_section(course, home) -> None:
    result = run_studydl(*cli_args(home), "map", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    by_id = {s["id"]: s for s in doc["sections"]}
    assert set(by_id) == {"backprop#Chain rule", "backprop#Backpropagation", "rnn#Vanishing gradients", "rnn#LSTM"}
    assert by_id["rnn#LSTM"]["prerequisites"] == ["backprop#Backpropagation", "rnn#Vanishing gradients"]
    assert set(by_id["rnn#LSTM"]) >= {"retrievability", "cards", "due", "lapsed_this_week", "layer"}
    text = run_studydl(*cli_args(home), "map")
    assert "needs Backpropagation, Vanishing gradients" in text.stdout
