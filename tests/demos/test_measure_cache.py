"""The demo-result cache in the home: a damaged or foreign entry is ignored and rewritten, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studydl.demos.catalogue import get_spec
from studydl.demos.measure import measure, run_key
from studydl.demos.params import resolve_params

DEMO, OVERRIDES = "backprop", {"lr": 0.1}


def _entry(cache: Path) -> Path:
    params = resolve_params(get_spec(DEMO), OVERRIDES)
    return cache / f"{DEMO}-{run_key(DEMO, params, 0)}.json"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The metrics of a real run, and its cache entry as measure writes it."""
    cache = tmp_path_factory.mktemp("cache")
    first = measure(DEMO, OVERRIDES, seed=0, cache_dir=cache)
    assert not first.cached and first.stopped is None and first.reached is True
    again = measure(DEMO, OVERRIDES, seed=0, cache_dir=cache)
    assert again.cached and again.metrics == first.metrics and again.reached is True
    return {"metrics": first.metrics, "entry": json.loads(_entry(cache).read_text())}


DAMAGED = {
    "metrics is a list": json.dumps({"metrics": []}),
    "deep nesting": "[" * 200_000 + "]" * 200_000,
    "deep nesting in metrics": json.dumps({"metrics": {}})[:-2] + '"x": ' + "[" * 100_000 + "]" * 100_000 + "}}",
    "a metric is text": None,
    "a metric is true": None,
    "another demo's entry": None,
    "other parameters": None,
    "not JSON": "{'metrics': ",
    "not UTF-8": b"\xff\xfe\x00metrics",
    "a number": "42",
    "null": "null",
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_or_foreign_entry_is_ignored_and_rewritten(case: str, fresh: dict, tmp_path: Path) -> None:
    content = DAMAGED[case]
    entry = dict(fresh["entry"])
    if case == "a metric is text":
        content = json.dumps({**entry, "metrics": {**entry["metrics"], "max_abs_diff": "0"}})
    elif case == "a metric is true":
        content = json.dumps({**entry, "metrics": {**entry["metrics"], "max_abs_diff": True}})
    elif case == "another demo's entry":
        content = json.dumps({**entry, "demo": "xor-mlp"})
    elif case == "other parameters":
        content = json.dumps({**entry, "params": {**entry["params"], "lr": 0.2}, "metrics": {"max_abs_diff": 9.0}})
    path = _entry(tmp_path)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    measured = measure(DEMO, OVERRIDES, seed=0, cache_dir=tmp_path)
    assert not measured.cached and measured.metrics == fresh["metrics"]
    assert json.loads(path.read_text()) == fresh["entry"]  # rewritten
    assert measure(DEMO, OVERRIDES, seed=0, cache_dir=tmp_path).cached


def test_a_huge_entry_is_not_read(fresh: dict, tmp_path: Path) -> None:
    path = _entry(tmp_path)
    path.write_text(json.dumps({**fresh["entry"], "pad": "x" * 2_000_000}))
    assert not measure(DEMO, OVERRIDES, seed=0, cache_dir=tmp_path).cached
