"""Drill: `studydl review --plain` killed with SIGKILL at 20 random points in a row on one database.

Run on a SQLite file and on a PostgreSQL server (the `backend` parameter). After every
kill the database is intact (SQLite's `PRAGMA integrity_check`), every answer the process
acknowledged (a `saved` line) is in the log exactly once, nothing else is (at most the
one answer or undo that was in flight), and each card's stored state equals the
replay of its log.

Starting a fresh interpreter costs 1-3 s (SQLAlchemy's import, on a loaded machine),
so most rounds fork the CLI from one warm interpreter (`ForkedCli`): the child still
runs `python -m studydl` (through runpy) with its own stdin/stdout pipes, opens the
database itself and dies by SIGKILL like any process. Two rounds start a real
`python -m studydl` instead, so the plain entry point is drilled too.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from studydl.decks.sync import sync_decks
from studydl.domain.review import Rating
from studydl.engine.history import replay_card, stored_memory
from studydl.engine.settings import load_settings, save_setting
from studydl.home import Home
from studydl.store.db import Database
from studydl.store.models import CardRow, ReviewRow
from tests.backends import assert_intact, cli_args, open_db

LINE_TIMEOUT_S = 30.0
"""Longest wait for one line of output (a real interpreter start on a busy 2-core box)."""

_ZYGOTE = r"""
import json, os, runpy, signal, socket, sys, traceback
import studydl.cli, studydl.cli.review, studydl.decks.sync, studydl.engine.session  # the warm part

ctrl = socket.socket(fileno=int(sys.argv[1]))
children = set()


def run(argv, fds):
    code = 1
    try:
        ctrl.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
        sys.argv = ["studydl", *argv]
        runpy.run_module("studydl", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


ctrl.sendall(b'{"ready": true}')
while True:
    msg, fds, _, _ = socket.recv_fds(ctrl, 65536, 3)
    if not msg:
        break
    request = json.loads(msg)
    if request["op"] == "spawn":
        pid = os.fork()
        if pid == 0:
            run(request["argv"], fds)
        for fd in fds:
            os.close(fd)
        children.add(pid)
        reply = {"pid": pid}
    else:
        _, status = os.waitpid(request["pid"], 0)
        children.discard(request["pid"])
        reply = {"returncode": os.waitstatus_to_exitcode(status)}
    ctrl.sendall(json.dumps(reply).encode())
for pid in children:  # the test went away early: leave nothing running
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
"""


class Child:
    """A running `studydl` process: write its stdin, read its stdout line by line with a timeout."""

    def __init__(self, pid: int, stdin: int, stdout: int, stderr: int, wait: Callable[[float], int]) -> None:
        self.pid = pid
        self.lines: list[str] = []
        """Every stdout line read so far."""
        self._in, self._out, self._err = stdin, stdout, stderr
        self._wait = wait
        self._buffer = b""
        self._eof = False
        self.returncode: int | None = None
        self.stderr = ""

    def send(self, text: str) -> None:
        with contextlib.suppress(BrokenPipeError):  # it ended by itself (nothing due); its output says so
            os.write(self._in, text.encode())

    def readline(self, timeout: float = LINE_TIMEOUT_S) -> str | None:
        """The next stdout line, or None at end of output."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer and not self._eof:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no line from pid {self.pid} in {timeout:.0f} s; so far: {self.lines[-8:]}")
            if select.select([self._out], [], [], left)[0]:
                chunk = os.read(self._out, 65536)
                self._eof = not chunk
                self._buffer += chunk
        if not self._buffer:
            return None
        line, _, self._buffer = self._buffer.partition(b"\n")
        text = line.decode()
        self.lines.append(text)
        return text

    def read_until(self, *prefixes: str, timeout: float = LINE_TIMEOUT_S) -> str | None:
        """Read lines up to and including the first starting with one of `prefixes` (None: output ended)."""
        while (line := self.readline(timeout)) is not None:
            if line.startswith(prefixes):
                return line
        return None

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)  # never reaped before finish(): the pid cannot be reused

    def finish(self, timeout: float = LINE_TIMEOUT_S) -> int:
        """Read the rest of stdout (what it printed before dying counts), reap it, read stderr."""
        try:
            while self.readline(timeout) is not None:
                pass
        except TimeoutError:
            self.kill()
            raise
        finally:
            os.close(self._in)
            os.close(self._out)
            self.returncode = self._wait(timeout)
            chunks = []
            while chunk := os.read(self._err, 65536):
                chunks.append(chunk)
            os.close(self._err)
            self.stderr = b"".join(chunks).decode()
        return self.returncode


class ForkedCli:
    """Start `studydl` commands as processes forked from one interpreter that has done the imports."""

    def __init__(self) -> None:
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._proc = subprocess.Popen([sys.executable, "-c", _ZYGOTE, str(theirs.fileno())], pass_fds=[theirs.fileno()])
        theirs.close()
        self._sock.settimeout(60)
        self._lock = threading.Lock()
        assert json.loads(self._sock.recv(4096)) == {"ready": True}

    def _ask(self, request: dict, fds: Sequence[int] = ()) -> dict:
        with self._lock:
            socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
            return json.loads(self._sock.recv(4096))

    def start(self, *argv: str) -> Child:
        ours, theirs = _pipes()
        pid = self._ask({"op": "spawn", "argv": list(argv)}, theirs)["pid"]
        for fd in theirs:
            os.close(fd)
        return Child(pid, *ours, wait=lambda timeout: self._ask({"op": "wait", "pid": pid})["returncode"])

    def close(self) -> None:
        self._sock.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def start_real(*argv: str) -> Child:
    """`python -m studydl ...` in a fresh interpreter."""
    ours, theirs = _pipes()
    proc = subprocess.Popen([sys.executable, "-m", "studydl", *argv], stdin=theirs[0], stdout=theirs[1], stderr=theirs[2])
    for fd in theirs:
        os.close(fd)
    return Child(proc.pid, *ours, wait=lambda timeout: proc.wait(timeout))


def _pipes() -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(our stdin-write, stdout-read, stderr-read), (their stdin-read, stdout-write, stderr-write)."""
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    stderr_r, stderr_w = os.pipe()
    return (stdin_w, stdout_r, stderr_r), (stdin_r, stdout_w, stderr_w)


@pytest.fixture(scope="module")
def forked_cli() -> ForkedCli:
    cli = ForkedCli()
    yield cli
    cli.close()


# -- the collection --------------------------------------------------------------

RATING_NAMES = {"1": "again", "2": "hard", "3": "good", "4": "easy"}
PROMPT = "(Enter: show answer"
ACKS = ("saved ", "undone ", "nothing to undo")
HEADER = re.compile(r"^\[[^\]]*\] [^:\s]+:(\d+) ")
"""A card's header names it by its file and line (`[Drill › Drill] drill.md:12`), not its id."""


def deck_text(cards: int = 40, pairs: int = 4) -> str:
    """`cards` cards: `pairs` two-way notes (siblings, buried by an answer) and basic Q/A cards."""
    parts = ["---\ndeck: Drill\n---\n\n# Drill\n"]
    parts += [f"Term {i} ::: definition {i}\n" for i in range(pairs)]
    parts += [f"Q: Question {i}?\nA: Answer {i}.\n" for i in range(cards - 2 * pairs)]
    return "\n".join(parts)


def make_collection(home: Home, deck: Path) -> None:
    """Sync the deck; lift the new-card limit so every round has cards to answer."""
    db = home.open_db()
    try:
        report = sync_decks(db, [deck])
        assert report.ok and len(report.added) == 40, report
        save_setting(db, "new", 1000)
    finally:
        db.dispose()


def log_rows(db: Database) -> list[tuple[int, str]]:
    with db.read() as s:
        rows = s.execute(sql_select(ReviewRow.card_id, ReviewRow.rating).order_by(ReviewRow.id)).all()
    return [(card_id, Rating(rating).name.lower()) for card_id, rating in rows]


def check_store(home: Home) -> list[tuple[int, str]]:
    """Integrity, replay == stored state, burying explained by the log; returns the log."""
    assert_intact(home)
    db = open_db(home)
    try:
        settings = load_settings(db)
        with db.read() as s:
            ids = list(s.scalars(sql_select(CardRow.id)))
            buried_now = set(s.scalars(sql_select(CardRow.id).where(CardRow.buried_until.is_not(None))))
            befores = s.scalars(sql_select(ReviewRow.state_before))
            buried_by_log = {sib for before in befores for sib, _ in json.loads(before).get("buried", [])}
        for card_id in ids:
            assert replay_card(db, card_id, settings) == stored_memory(db, card_id), card_id
        assert buried_now == buried_by_log
        return log_rows(db)
    finally:
        db.dispose()


# -- one round ---------------------------------------------------------------------


@dataclass
class Round:
    """What the test typed in one round: every rating or undo, in order (reveals are not ops)."""

    child: Child
    ops: list[str] = field(default_factory=list)

    def op(self, key: str, reveal: bool = False) -> None:
        if reveal:
            self.child.send("\n")
        self.child.send(f"{key}\n")
        self.ops.append(key)

    def step(self, rng: random.Random) -> bool:
        """Wait for a card, answer it (or undo) and wait for the ack; False when nothing is due."""
        if self.child.read_until(PROMPT, "Nothing more is due") in (None, "Nothing more is due now."):
            return False
        self.op(_pick_op(rng), reveal=rng.random() < 0.5)
        return self.child.read_until(*ACKS) is not None


def _pick_op(rng: random.Random) -> str:
    return rng.choices(["1", "2", "3", "4", "u"], weights=[3, 2, 5, 1, 2])[0]


def play(child: Child, rng: random.Random, mode: str) -> Round:
    """Drive the session to the kill point `mode`, then SIGKILL it."""
    game = Round(child)
    steps = rng.randint(1 if mode == "after-ack" else 0, 4)
    alive = all(game.step(rng) for _ in range(steps))
    if alive and mode == "burst":  # type far ahead; kill after a random number of output lines
        for _ in range(30):
            game.op(_pick_op(rng), reveal=rng.random() < 0.3)
        for _ in range(rng.randint(1, 40)):
            if child.readline() is None:
                break
    elif alive and mode in ("rating-in-flight", "undo-in-flight"):
        if (child.read_until(PROMPT, "Nothing more is due") or "").startswith(PROMPT):
            game.op("u" if mode == "undo-in-flight" else rng.choice("1234"))
            jitter = rng.choice([0.0, rng.uniform(0, 0.015)])  # lands before, inside or after the commit
            if jitter:
                time.sleep(jitter)
    elif alive and mode == "card-shown":
        child.read_until("Q: ")
    elif alive and mode == "answer-shown" and (child.read_until(PROMPT, "Nothing more is due") or "").startswith(PROMPT):
        child.send("\n")
        child.read_until("A: ")
    child.kill()
    return game


def ids_by_line(home: Home) -> dict[int, list[int]]:
    """Card ids by source line (a two-way note's two cards share one)."""
    db = open_db(home)
    try:
        with db.read() as s:
            out: dict[int, list[int]] = {}
            for card_id, line in s.execute(sql_select(CardRow.id, CardRow.source_line)):
                out.setdefault(line, []).append(card_id)
            return out
    finally:
        db.dispose()


def outcomes(before: list[tuple[int, str]], game: Round, at_line: dict[int, list[int]]) -> list[list[tuple[int, str]]]:
    """The logs this round may have left: acknowledged ops applied, plus (or not) the one in flight
    (on the card shown, or on its sibling when both cards of a two-way note share the line shown)."""
    log, mine = list(before), 0  # mine: this session's answers still on its undo stack
    acks = [line for line in game.child.lines if line.startswith(ACKS)]
    assert len(acks) <= len(game.ops), (acks, game.ops)
    for ack, key in zip(acks, game.ops, strict=False):
        if ack.startswith("saved "):
            card_id, rating = ack.split()[1:3]
            assert RATING_NAMES[key] == rating, (ack, key)
            log.append((int(card_id), rating))
            mine += 1
        elif ack.startswith("undone "):
            assert key == "u" and mine, (ack, key)
            assert log.pop()[0] == int(ack.split()[1]), ack
            mine -= 1
        else:
            assert key == "u" and not mine, (ack, key)
    possible = [log]
    last_ack = max((i for i, line in enumerate(game.child.lines) if line.startswith(ACKS)), default=-1)
    shown = [int(m[1]) for line in game.child.lines[last_ack + 1 :] if (m := HEADER.match(line))]
    if len(game.ops) > len(acks) and shown:  # one op typed, its card on screen, no ack: either way
        key = game.ops[len(acks)]
        if key != "u":
            possible += [[*log, (card_id, RATING_NAMES[key])] for card_id in at_line[shown[-1]]]
        elif mine:
            possible.append(log[:-1])
    return possible


KILL_POINTS = ["after-ack", "rating-in-flight", "undo-in-flight", "card-shown", "answer-shown", "burst"]
REAL_INTERPRETER_ROUNDS = {0, 13}


def test_twenty_sigkills_in_a_row_lose_no_acknowledged_answer(forked_cli: ForkedCli, home: Home, write_deck) -> None:
    make_collection(home, write_deck("drill.md", deck_text()))
    at_line = ids_by_line(home)
    rng = random.Random(20250806)
    log: list[tuple[int, str]] = []
    in_flight_kept = 0
    for round_no in range(20):
        mode = KILL_POINTS[round_no % len(KILL_POINTS)] if round_no < len(KILL_POINTS) else rng.choice(KILL_POINTS)
        argv = (*cli_args(home), "review", "--plain")
        child = start_real(*argv) if round_no in REAL_INTERPRETER_ROUNDS else forked_cli.start(*argv)
        game = play(child, rng, mode)
        returncode = child.finish()
        where = f"round {round_no} ({mode}); typed {game.ops}; output tail {child.lines[-6:]}"
        assert child.stderr == "", where + child.stderr
        ended = any(line.startswith("Nothing more is due") for line in child.lines)
        assert returncode == -signal.SIGKILL or (ended and returncode == 0), where
        possible = outcomes(log, game, at_line)
        after = check_store(home)
        assert after in possible, f"{where}\nlog tail {after[max(0, len(log) - 1) :]}, allowed {[p[max(0, len(log) - 1) :] for p in possible]}"
        in_flight_kept += len(possible) > 1 and after in possible[1:]
        log = after
    assert len(log) >= 20  # the drill really answered cards
    print(f"{len(log)} answers in the log after 20 kills; {in_flight_kept} in-flight ops were committed unacknowledged")
