"""Import other tools' flashcards into our deck format, and export our cards to Anki and CSV.

Importers read a file into an `ImportResult` (cards, skipped parts, history);
`deck_writer` turns it into a deck file our parser accepts; `history` writes
imported scheduling into the store. Nothing here imports the TUI or torch.
"""
