"""Run Anki's own backend on a package (anki_io_driver.py) in a subprocess under libfaketime, in a chosen zone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.anki_parity import LIBFAKETIME, anki_available

REPO = Path(__file__).resolve().parents[2]

# Skipped only outside CI (a developer without the dev extra or faketime); in CI a missing
# part fails the run instead of hiding the round trip through Anki.
needs_anki = pytest.mark.skipif(not anki_available() and not os.environ.get("CI"), reason="needs the anki package and libfaketime")


def run_anki(job: dict, zone: str, workdir: Path) -> dict:
    """What Anki shows after the job (see anki_io_driver.py), its clock faked, its zone `zone`."""
    stamp = workdir / f"faketime-{job['action']}.rc"
    stamp.write_text("+0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKETIME", "ANKI_TEST_MODE", "LD_PRELOAD"))}
    env.update(
        TZ=zone,
        LD_PRELOAD=str(LIBFAKETIME),
        FAKETIME_TIMESTAMP_FILE=str(stamp),
        FAKETIME_NO_CACHE="1",
        FAKETIME_DONT_FAKE_MONOTONIC="1",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.interop.anki_io_driver"], cwd=REPO, input=json.dumps(job), capture_output=True, text=True,
        env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)
