"""Item 8: `studydl serve` runs the app in a browser, on this machine only unless a token is set.

The browser test uses a real headless Chromium (Debian's package; scripts/test-tools
installs it): it opens the page textual-serve gives, waits for the app to be drawn,
answers a card with the keyboard, and the answer is in the home's review log.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from studydl.cli import cli
from studydl.decks.sync import sync_decks
from studydl.home import Home
from tests.cli.chromium import Chromium, chromium_binary
from tests.pg_server import free_port

QUESTIONS = ["What is fact 0?", "What is fact 1?"]
DECK = "---\ndeck: Drill\n---\n# Drill\n\n" + "\n\n".join(f"Q: {q}\nA: Answer {i}." for i, q in enumerate(QUESTIONS)) + "\n"
TOKEN = "a-learner's-own-token"


def test_listening_beyond_this_machine_needs_a_token(tmp_path: Path) -> None:
    refused = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "serve", "--host", "0.0.0.0"])
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: studydl serve: listening on 0.0.0.0 lets anyone who can reach this machine use your collection;"
        " set a token first (--token or STUDYDL_SERVE_TOKEN), or listen on 127.0.0.1\n"
    )
    short = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "serve", "--host", "0.0.0.0", "--token", "short"])
    assert short.exit_code == 1 and "at least 12 characters" in short.stderr


def study_home(root: Path) -> Home:
    """A home whose one due deck is Drill (the bundled decks synced, their cards suspended)."""
    home = Home(root).ensure()
    (home.decks_dir / "drill.md").write_text(DECK, encoding="utf-8")
    db = home.open_db()
    try:
        sync_decks(db, home.deck_roots(), roots=home.named_roots())
        with db.raw_write() as con:
            con.execute("UPDATE cards SET suspended = TRUE WHERE deck_id IN (SELECT id FROM decks WHERE root = 'bundled')")
    finally:
        db.dispose()
    return home


@contextmanager
def served(home: Home, *options: str) -> Iterator[str]:
    """`studydl serve` running; its address. Stopped (with the app processes it started) on leaving."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "studydl", "--home", str(home.root), "serve", "--port", str(port), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        line = b""
        deadline = time.monotonic() + 60
        while b"serving the app on" not in line:
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"studydl serve did not start: {process.stderr.read1(4096) if process.poll() is not None else ''}"
            line = process.stdout.readline()
            assert line, process.stderr.read().decode()
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_with_a_token_every_request_without_it_is_refused(tmp_path: Path) -> None:
    home = study_home(tmp_path / "home")
    with served(home, "--token", TOKEN) as address:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(address, timeout=30)
        assert refused.value.code == 403
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(address + "?token=wrong-token-value", timeout=30)
        page = urllib.request.urlopen(address + "?token=" + urllib.parse.quote(TOKEN), timeout=30)
        assert page.status == 200 and "studydl_token=" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]
        cookie = page.headers["Set-Cookie"].split(";")[0]
        again = urllib.request.urlopen(urllib.request.Request(address + "static/css/xterm.css", headers={"Cookie": cookie}), timeout=30)
        assert again.status == 200


def test_a_browser_answers_a_card_with_the_keyboard_and_the_answer_is_in_the_log(tmp_path: Path) -> None:
    binary = chromium_binary()
    if binary is None:
        message = "Chromium not found (Debian: apt-get install chromium; `make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    home = study_home(tmp_path / "home")
    with served(home) as address:
        browser = Chromium(binary, tmp_path / "profile")
        try:
            page = browser.open(address)
            page.wait_for_text("studies everything due")  # the deck list, drawn in the browser's terminal
            page.focus_terminal()
            page.press("a")
            page.wait_for_text(QUESTIONS[0])
            page.press(" ")
            page.wait_for_text("Answer 0.")
            page.press("3")
            page.wait_for_text(QUESTIONS[1])  # shown once the answer is saved
        finally:
            browser.close()
    db = home.open_db()
    try:
        with db.raw_read() as con:
            log = con.execute("SELECT c.question, r.rating FROM review_log r JOIN cards c ON c.id = r.card_id").fetchall()
    finally:
        db.dispose()
    assert log == [(QUESTIONS[0], 3)]
