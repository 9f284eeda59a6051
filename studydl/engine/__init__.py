"""The review engine: FSRS scheduling (the `fsrs` package) under Anki-like session rules.

No UI here and no torch (except inside `optimize`, imported only when fitting).
"""
