"""The review engine: Anki's FSRS scheduler (on fsrs-rs, `fsrs_model`) under Anki-like session rules.

No UI here and no torch. `history.replay` rebuilds a card's state from its log.
"""
