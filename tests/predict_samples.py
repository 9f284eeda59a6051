"""Predict-card decks shared by the app's and review --plain's tests."""

GRU_DECK = """\
---
deck: Gates
---

Q: While a trained GRU holds a value, where does its update gate sit?
A: Near 1.
demo: gru
predict: gru_update_gate_while_holding
choices: near 0 = 0.05, about half = 0.5, near 1 = 0.95
"""
"""The issue's card: a run stopped at its budget once graded "near 1" Again."""
