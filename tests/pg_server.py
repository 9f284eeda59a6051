"""A throwaway PostgreSQL server for the tests: `initdb` in a temporary folder, `pg_ctl` on a free local port.

One server per test process (per xdist worker), started on first use and stopped at
the end of the session; a watchdog process stops it too if the test process dies
without cleaning up. Each test gets a fresh collection: a schema of its own in one
database (`CREATE SCHEMA` takes well under a millisecond, `CREATE DATABASE` ~0.1-0.2 s
here), named to the server through the URL's `options=-csearch_path=...`.

The cluster is made with Debian's binaries (/usr/lib/postgresql/<version>/bin, or
`initdb` on the PATH). As root they run as the `postgres` user (PostgreSQL refuses to
run as root). For the tests the server runs with fsync off (nothing here survives a
power cut; a commit is still written to the server's log before it returns, so a
killed or stopped server keeps every acknowledged commit); bench/answer_latency_pg.py
starts one with `durable=True` (PostgreSQL's defaults: fsync on).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

USER = "studydl"
DATABASE = "studydl_tests"

_WATCHDOG = r"""
import os, shutil, subprocess, sys, time
parent, pg_ctl, data, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
prefix = sys.argv[5:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"], capture_output=True)
shutil.rmtree(root, ignore_errors=True)
"""


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout first), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        """fsync on and PostgreSQL's default memory (a benchmark's server); off for the tests."""
        self.root = Path(tempfile.mkdtemp(prefix="studydl-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._as_postgres = os.geteuid() == 0
        self._watchdog: subprocess.Popen | None = None
        self._schemas = itertools.count(1)

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=timeout)

    def start(self) -> PgServer:
        """initdb, then start on a free port (another port if that one was taken meanwhile)."""
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        done = self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", USER,
                         "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr or done.stdout}")
        for _attempt in range(3):
            if self._start_on(free_port()):
                break
        else:
            raise RuntimeError(f"the PostgreSQL server would not start: {self.log_tail()}")
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.bin_dir / "pg_ctl"), str(self.data), str(self.root),
             *(["runuser", "-u", "postgres", "--"] if self._as_postgres else [])],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        with self.admin(dbname="postgres") as con:
            con.execute(f"CREATE DATABASE {DATABASE}")
        return self

    def _start_on(self, port: int) -> bool:
        self.port = port
        options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c full_page_writes=off -c shared_buffers=32MB"
        done = self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")
        return done.returncode == 0

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate`: as if it crashed; every committed transaction is in its log)."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        if not self._start_on(self.port):
            raise RuntimeError(f"the PostgreSQL server would not start again: {self.log_tail()}")

    def close(self) -> None:
        """Stop the server and delete its folder."""
        self.stop("immediate")
        if self._watchdog is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._watchdog.pid, signal.SIGKILL)
            self._watchdog.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- collections ---------------------------------------------------------------

    def url(self, dbname: str = DATABASE, schema: str | None = None, *, direct: bool = False) -> str:
        """`direct`: a collection every device uses directly (`?studydl=direct`); else a shared log's URL."""
        query = [*(["studydl=direct"] if direct else []), *([f"options={quote(f'-csearch_path={schema}')}"] if schema else [])]
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}{'?' if query else ''}{'&'.join(query)}"

    def admin(self, dbname: str = DATABASE):  # -> psycopg.Connection (autocommit)
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname=dbname, autocommit=True)

    def new_collection(self) -> str:
        """A URL naming an empty schema of its own: a fresh studydl collection, used directly."""
        return self.url(schema=self.new_schema(), direct=True)

    def new_shared_log(self) -> str:
        """A URL naming an empty schema of its own: a fresh shared log for devices' own stores to sync with."""
        return self.url(schema=self.new_schema())

    def new_schema(self) -> str:
        schema = f"t{os.getpid()}_{next(self._schemas)}"
        with self.admin() as con:
            con.execute(f"CREATE SCHEMA {schema}")
        return schema


def wait_until(predicate, timeout: float = 30.0, step: float = 0.05) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
