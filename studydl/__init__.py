"""studydl: spaced-repetition study of deep learning in the terminal."""

__version__ = "0.1.0"
