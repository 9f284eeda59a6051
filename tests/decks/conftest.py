"""Every test here that uses `home` or `db` runs on SQLite and on PostgreSQL."""

from tests.backends import backend  # noqa: F401  (the fixture, parametrized)
