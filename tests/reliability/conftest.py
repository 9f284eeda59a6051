"""The store tests' home with real reviews, for the drills here too."""

from tests.store.conftest import reviewed  # noqa: F401  (a fixture)
