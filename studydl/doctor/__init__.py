"""`studydl doctor`: check a database file and repair what can be rebuilt (Anki's Check Database).

Above the store and the engine: it reads the file with SQLite's own checks
(store/integrity.py) and rebuilds scheduling state with the engine's replay.
"""
