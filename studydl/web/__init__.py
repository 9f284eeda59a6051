"""`studydl serve`: the app in a web browser (a phone has no terminal), through textual-serve."""
