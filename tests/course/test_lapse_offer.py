"""A lapse leads to its prerequisite: the second lapse in a week offers the weakest prerequisite's demo cards next."""

from __future__ import annotations

import json

from sqlalchemy import select

from studydl.domain.review import Rating
from studydl.engine.history import card_history, replay_card, stored_memory
from studydl.engine.session import ReviewSession
from studydl.engine.settings import save_setting
from studydl.store.models import CardRow, ReviewRow
from tests.course.conftest import study

LSTM = "Which gate decides what the cell forgets?"


def _lapse_lstm(db, clock):  # noqa: ANN001, ANN202
    """Answer the due cards of Recurrent, Again on the LSTM card; its Answered."""
    session = ReviewSession(db, "Recurrent", clock=clock)
    lapse = None
    while (due := session.next_card()) is not None:
        again = due.card.question == LSTM and lapse is None
        answered = session.answer(due.card.id, Rating.AGAIN if again else Rating.GOOD, 4000)
        if again:
            lapse = answered
        clock.advance(minutes=10)
    return session, lapse


def _card_id(db, question: str) -> int:  # noqa: ANN001
    with db.read() as s:
        return s.execute(select(CardRow.id).where(CardRow.question == question)).scalar_one()


def test_the_second_lapse_in_a_week_offers_the_weakest_prerequisite_demo_card_next(course, clock) -> None:
    study(course, clock, "Backprop basics")
    study(course, clock, "Recurrent")
    clock.advance(days=10)  # every card due; backprop's are not reviewed again from here on
    _session, first = _lapse_lstm(course, clock)
    assert first is not None and first.offer is None  # one lapse: nothing yet
    clock.advance(days=3)
    session, second = _lapse_lstm(course, clock)
    offer = second.offer
    assert offer is not None
    assert offer.section == "backprop#Backpropagation"  # weaker than the just-reviewed Vanishing gradients
    assert offer.lapses == 2 and 0 < offer.recall < 0.9
    assert offer.prompt().startswith(f"You forgot *{LSTM}*; *Backpropagation* is at ")
    with course.read() as s:
        demo_cards = set(s.execute(select(CardRow.id).where(CardRow.demo_id == "backprop")).scalars())
    assert set(offer.card_ids) == demo_cards

    fresh = ReviewSession(course, "Recurrent", clock=clock)
    fresh.take_offer(offer.card_ids)
    assert fresh.next_card().card.id == offer.card_ids[0]  # offered next, due or not

    lstm = _card_id(course, LSTM)
    with course.read() as s:
        details = [json.loads(d) for d in s.execute(select(ReviewRow.detail).where(ReviewRow.card_id == lstm, ReviewRow.detail.is_not(None))).scalars()]
    assert [d["prerequisite_offer"]["section"] for d in details] == ["backprop#Backpropagation"]
    assert stored_memory(course, lstm) == replay_card(course, lstm)  # replay never reads the offer
    notes = [e.note for e in card_history(course, lstm) if e.note]
    assert notes == [f"offered Backpropagation ({offer.recall * 100:.0f} %)"]


def test_the_setting_turns_it_off(course, clock) -> None:
    save_setting(course, "lapse_prerequisite", 0)
    study(course, clock, "Backprop basics")
    study(course, clock, "Recurrent")
    clock.advance(days=10)
    _lapse_lstm(course, clock)
    clock.advance(days=3)
    _session, second = _lapse_lstm(course, clock)
    assert second.offer is None


def test_lapses_more_than_a_week_apart_offer_nothing(course, clock) -> None:
    study(course, clock, "Backprop basics")
    study(course, clock, "Recurrent")
    clock.advance(days=10)
    _lapse_lstm(course, clock)
    clock.advance(days=8)
    _session, second = _lapse_lstm(course, clock)
    assert second is not None and second.offer is None


def test_the_offer_reads_the_sections_and_cards_the_map_reads(course, clock) -> None:
    """The offer's light reads (sections grouped, then one section's cards) agree with the map's full read."""
    from studydl.course.section_memory import section_card_ids, section_memory, stored_sections
    from studydl.engine.settings import load_settings

    study(course, clock, "Backprop basics")
    full, files = section_memory(course, load_settings(course), clock())
    light, light_files = stored_sections(course)
    assert list(light) == list(full) and light_files == files and len(full) > 2
    assert all(section_card_ids(course, light[key]) == full[key].card_ids for key in full)


def test_the_offer_is_worked_out_while_the_card_is_read_not_on_the_key(course, clock, monkeypatch) -> None:
    """The review screen has the session `prepare` while a card is read: for a review card, what Again
    would offer (a read of every section and the deck files) is worked out then; the Again key takes it
    and reads none. The offer is the one worked out on the key itself."""
    from studydl.course import lapse_offer as offers

    study(course, clock, "Backprop basics")
    study(course, clock, "Recurrent")
    clock.advance(days=10)
    _lapse_lstm(course, clock)
    clock.advance(days=3)
    worked_out: list[int] = []
    real = offers.lapse_offer

    def counted(db, card_id, now, settings):  # noqa: ANN001, ANN202 (a spy: the real one runs)
        worked_out.append(card_id)
        return real(db, card_id, now, settings)

    monkeypatch.setattr(offers, "lapse_offer", counted)
    session, lstm = ReviewSession(course, "Recurrent", clock=clock), _card_id(course, LSTM)
    while (due := session.next_card()).card.id != lstm:
        session.answer(due.card.id, Rating.GOOD, 4000)
    on_key = real(course, lstm, clock.now, session.settings)
    session.prepare()
    assert worked_out == [lstm]
    answered = session.answer(lstm, Rating.AGAIN, 4000)
    assert worked_out == [lstm]  # (none on the key)
    assert answered.offer == on_key and on_key is not None
