"""A deck folder with every card form, and a store's whole content in a form two stores can be compared by."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.engine.test_simulate_anki import bench_module

RICH_DECK = """---
deck: Every form
tags: [base, shared]
---

# Basics

Q: What is a tensor?
A: An n-dimensional array.

Q: A question over
two lines?
A: And an answer
over two. #twoline

Q: Code after the question
```python
x = {{not a cloze}}
```
A: Code after the answer:

```
y :: not a term
```

## Terms

ReLU :: max(0, x)
GELU :: a smooth ReLU #activation
MSE ::: mean squared error

Sigmoid :: 1 / (1 + e^-x)
id: sigmoid-card
tags: squash, classic

# Clozes

A {{convolution}} slides a {{kernel::small matrix}} over the {{input}}.

The `{{code}}` stays, {{this}} hides.
answer: typed

# Typed

Q: Which gate drops from the cell state?
A: Forget gate
answer: typed

Some prose that is not a card.

- a list
- of things

> a quote

<!-- a comment :: never a card -->
"""


def write_folder(folder: Path, generated: int = 150, per_file: int = 60) -> Path:
    """The rich deck, a deck whose cards are all explicit ids, and `generated` cards in
    files of `per_file` (bench/sync.py's `make_decks`); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rich.md").write_text(RICH_DECK)
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "ids.md").write_text("".join(f"card {i} :: side {i}\nid: fixed-{i}\n\n" for i in range(30)))
    bench_module("sync").make_decks(folder, generated, per_file)
    return folder


def store_content(path: Path, folder: Path) -> dict[str, list]:
    """Every table's rows in id order, and the schema. Generated uids (random) are replaced by
    their order of first appearance; the folder's path by `FOLDER`; the decks' file times
    (of this run's files) by None."""
    con = sqlite3.connect(path)
    try:
        labels: dict[str, str] = {}

        def label(value: str) -> str:
            return labels.setdefault(value, f"#{len(labels)}")

        out: dict[str, list] = {}
        out["schema"] = sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall())
        tables = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            cursor = con.execute(f"SELECT * FROM {table} ORDER BY rowid")
            columns = [d[0] for d in cursor.description]
            rows = []
            for row in cursor:
                values = dict(zip(columns, row, strict=True))
                if table == "cards":
                    values["note_uid"] = label(values["note_uid"])
                    if not values["explicit"]:
                        values["uid"] = label(values["uid"])
                if table == "decks":
                    values["path"] = values["path"].replace(str(folder), "FOLDER")
                    values["file_mtime_ns"] = None
                rows.append(values)
            out[table] = rows
        return out
    finally:
        con.close()
