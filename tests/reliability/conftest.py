"""The store tests' home with real reviews, for the drills here too; `home`/`db` on SQLite and PostgreSQL."""

from tests.backends import backend  # noqa: F401  (the fixture, parametrized)
from tests.store.conftest import reviewed  # noqa: F401  (a fixture)
