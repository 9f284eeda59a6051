"""bench/scale.py's tables: the costs by size beside Anki's, the growth per 10x, peak memory per step, the phases."""

from __future__ import annotations

ROWS = [
    ("sync from empty (s)", "sync_empty"),
    ("sync unchanged (s)", "sync_unchanged"),
    ("`studydl due`, process (s)", "due"),
    ("`studydl cards is:due`, process (s) · Anki find_cards", "cards_due"),
    ("deck list counts (s) · Anki deck_due_tree", "deck_counts"),
    ("next card + answer, median (s)", "answer"),
    ("optimize on the whole log (s) · Anki compute_fsrs_params", "optimize"),
    ("simulate 30 days (s) · Anki simulate_fsrs_review", "simulate"),
]
STEPS = {
    "sync": ("studydl",),
    "due": ("studydl",),
    "cards_due": ("studydl", "anki"),
    "deck_counts": ("studydl", "anki"),
    "answer": ("studydl", "anki"),
    "optimize": ("studydl", "anki"),
    "simulate": ("studydl", "anki"),
}
"""Each step and the sides that have it (a step's figures: the ROWS keys it yields)."""


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return f"{value:.3f}" if value < 1 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _figure(figures: dict, n: int, side: str, key: str) -> float | None:
    for found in figures[n].values():
        if key in found.get(side, {}):
            return found[side][key]
    return None


def table(sizes: list[int], figures: dict) -> str:
    head = "| cost | " + " | ".join(f"{n:,} studydl | {n:,} Anki" for n in sizes)
    growth = [f"studydl {b // a}x cards →" for a, b in zip(sizes, sizes[1:], strict=False)]
    head += " | " + " | ".join(growth) + " |" if growth else " |"
    lines = [head, "|---|" + "---:|" * (2 * len(sizes) + len(growth))]
    for label, key in ROWS:
        cells = []
        for n in sizes:
            cells += [_cell(_figure(figures, n, "studydl", key)), _cell(_figure(figures, n, "anki", key))]
        for a, b in zip(sizes, sizes[1:], strict=False):
            x, y = _figure(figures, a, "studydl", key), _figure(figures, b, "studydl", key)
            cells.append(f"{y / x:.1f}x" if x and y else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def memory_table(sizes: list[int], figures: dict) -> str:
    """Peak RSS (MiB) of each step's process (of the spawned `studydl` for the process rows)."""
    lines = ["| peak RSS (MiB) | " + " | ".join(f"{n:,} studydl | {n:,} Anki" for n in sizes) + " |", "|---|" + "---:|" * (2 * len(sizes))]
    for step in STEPS:
        cells = []
        for n in sizes:
            for side in ("studydl", "anki"):
                found = figures[n].get(step, {}).get(side, {})
                cells.append(f"{found.get('child_peak_mib', found.get('peak_mib', 0)):.0f}" if found else "—")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def phases(sizes: list[int], metas: dict, figures: dict) -> str:
    """How long each phase took (wall seconds, child process start included)."""
    parts = []
    for n in sizes:
        built = ", ".join(f"{k} {v:.0f} s" for k, v in metas[n].get("seconds", {}).items() if k != "peak MiB")
        steps = ", ".join(
            f"{step} {side} {found['wall']:.0f} s" for step, sides in figures[n].items() for side, found in sides.items() if "wall" in found
        )
        parts.append(f"{n:,}: {built or 'built earlier'}; {steps}")
    return "Phases (wall, each in its own process): " + "; ".join(parts) + "."
