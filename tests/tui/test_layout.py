"""The code's shape: no module over 400 lines, and no import circle in the TUI (screens reach the app through tui/host.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import studydl

PACKAGE = Path(studydl.__file__).resolve().parent
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every studydl module the file imports, at the top, under TYPE_CHECKING or inside a function."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("studydl")}


def graph(prefix: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in imports_of(path) if m in modules and m.startswith(prefix) and m != name}
        for name, path in modules.items()
        if name.startswith(prefix)
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles (each found once, from the module that closes it)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_no_module_is_over_400_lines() -> None:
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_tui_has_no_import_circle() -> None:
    edges = graph("studydl.tui")
    assert "studydl.tui.screens.home" in edges and edges["studydl.tui.app"]  # the graph is real
    assert cycles(edges) == []


def test_no_screen_or_widget_imports_the_app() -> None:
    edges = graph("studydl.tui")
    importers = sorted(name for name, deps in edges.items() if "studydl.tui.app" in deps)
    assert importers == ["studydl.tui.launch"]


def test_the_circle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
