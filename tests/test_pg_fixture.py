"""The test PostgreSQL server's rule: without its binaries, skip with the reason on a developer's machine, fail in CI."""

from __future__ import annotations

import pytest

import tests.conftest as conftest


@pytest.mark.parametrize(("ci", "outcome"), [(None, pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_missing_postgresql_skips_only_outside_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None, outcome: type) -> None:
    monkeypatch.setattr(conftest, "find_bin_dir", lambda: None)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="initdb/pg_ctl not found"), conftest.started_server():
        pass
