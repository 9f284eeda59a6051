"""Start-up: process start to the first painted screen and to the deck counts on it, vs a bare Textual app.

    .venv/bin/python bench/startup.py [--cards 10000] [--runs 7] [--readme]

Builds a home with N cards in plain deck files (synced once, so the runs see an
existing collection), then alternates runs of `python -m studydl --home H` and of a
bare Textual app that paints one label, each in its own pseudo-terminal (80x24).
Both write a time stamp at their first paint (`STUDYDL_EXIT_AFTER_PAINT=FILE` in
studydl). studydl writes a second one, "counts shown", after the refresh that puts
the deck list's counts on screen: the store opened, the start-up sync done (no file
changed) and the counts loaded after it, in one ordered step. Times are from just
before the process is spawned. studydl's modules are compiled to bytecode first, as an
install leaves them (the bare app's Textual is too). Prints medians; never pass/fail.
Targets: first paint within 1.3x the bare app's, counts shown within 600 ms at 10,000 cards.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_READY_MS = 600
TARGET_PAINT_RATIO = 1.3
sys.path.insert(0, str(ROOT))

BARE_APP = """
import os, time
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("hello")

    def on_mount(self):
        self.call_after_refresh(self.stamp)

    def stamp(self):
        with open(os.environ["STUDYDL_EXIT_AFTER_PAINT"], "a") as out:
            out.write(f"paint {time.time()}\\n")
        self.exit()

Bare().run()
"""


def build_home(root: Path, n_cards: int) -> Path:
    """A home whose decks folder holds n_cards one-line cards in 10 decks, synced once."""
    from studydl.decks.sync import sync_decks
    from studydl.home import Home

    home = Home(root).ensure()
    per_deck = max(1, n_cards // 10)
    for d in range(10):
        lines = [f"# Deck {d}", ""]
        for i in range(per_deck):
            if i % 100 == 0:
                lines += [f"## Part {i // 100}", ""]
            lines += [f"term {d}-{i} :: definition number {i} of deck {d}", ""]
        (home.decks_dir / f"deck-{d:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    db = home.open_db()
    sync_decks(db, home.deck_roots(), prune_missing=True)
    db.dispose()
    return root


def compile_bytecode() -> None:
    """Compile studydl's modules to bytecode, as installing it does (pip compiles at install).

    Without it, a checkout run with PYTHONDONTWRITEBYTECODE set (as this machine's shells
    are) compiles the ~30 modules of its start-up from source in every run, ~30 ms the
    bare app, whose Textual was installed compiled, never pays.
    """
    compileall.compile_dir(ROOT / "studydl", quiet=1)


def run_once(argv: list[str], env: dict[str, str], timeout: float = 120) -> dict[str, float | str]:
    """Spawn argv on a 80x24 pty; return the stamps it wrote, as seconds since the spawn."""
    with tempfile.NamedTemporaryFile("r", suffix=".stamp", delete=False) as f:
        stamp = Path(f.name)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    started = time.time()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env={**env, "STUDYDL_EXIT_AFTER_PAINT": str(stamp)}, close_fds=True)
    try:
        proc.wait(timeout)
    finally:
        os.close(slave)
        if proc.poll() is None:
            proc.kill()
    out: dict[str, float | str] = {}
    for line in stamp.read_text().splitlines():
        event, value = line.split(" ", 1)
        out[event] = value if event == "heavy" else float(value) - started
    stamp.unlink()
    os.close(master)
    return out


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args()

    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        home = build_home(Path(tmp) / "home", args.cards)
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        env = {**os.environ, "STUDYDL_HOME": str(home), "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
        studydl_argv = [sys.executable, "-m", "studydl", "--home", str(home)]
        runs: dict[str, list[dict]] = {"studydl": [], "bare": []}
        for i in range(args.runs):  # alternate, so load on the machine hits both alike
            runs["studydl"].append(run_once(studydl_argv, env))
            runs["bare"].append(run_once([sys.executable, str(bare)], env))
            print(f"run {i + 1}: studydl paint {runs['studydl'][-1].get('paint', float('nan')):.3f}s, bare paint {runs['bare'][-1].get('paint', float('nan')):.3f}s", file=sys.stderr)

    def median(name: str, key: str) -> str:
        values = [r[key] for r in runs[name] if key in r]
        return f"{statistics.median(values) * 1000:.0f} ms" if values else "-"

    heavy = sorted({r.get("heavy", "?") for r in runs["studydl"]})
    table = "\n".join(
        [
            "| app | first paint (median) | counts shown (median) | heavy modules loaded |",
            "| --- | --- | --- | --- |",
            f"| `studydl`, {args.cards:,} cards | {median('studydl', 'paint')} | {median('studydl', 'ready')} | {', '.join(heavy)} |",
            f"| bare Textual app, one label | {median('bare', 'paint')} | - | - |",
        ]
    )
    load = os.getloadavg()[0]
    ready = [r["ready"] for r in runs["studydl"] if "ready" in r]
    verdict = "met" if ready and statistics.median(ready) * 1000 <= TARGET_READY_MS else "missed"
    paints = {name: [r["paint"] for r in runs[name] if "paint" in r] for name in runs}
    ratio = statistics.median(paints["studydl"]) / statistics.median(paints["bare"]) if all(paints.values()) else float("nan")
    table += (
        f"\n\n{args.runs} alternating runs each, from spawn to the stamp written after the refresh;"
        f" `-` under heavy modules means no torch, plotext or optimizer. Targets: first paint within"
        f" {TARGET_PAINT_RATIO}x the bare app's ({ratio:.2f}x, {'met' if ratio <= TARGET_PAINT_RATIO else 'missed'}),"
        f" counts shown within {TARGET_READY_MS} ms ({verdict}). Load average at the end: {load:.1f}."
    )
    print(table)
    if args.readme:
        from bench_util import write_readme_block

        write_readme_block("startup", table, f"python bench/startup.py --cards {args.cards} --runs {args.runs} --readme")


if __name__ == "__main__":
    main()
