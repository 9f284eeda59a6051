"""Find and load the demo modules under `demos/` without importing torch.

Modules load as submodules of a synthetic package (`studydl_catalogue` for the
bundled folder), so a demo can use `from studydl_catalogue._common import ...`
or a relative import. Only ids found in the folder are ever imported: a deck
names an id, never a path.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import sys
import threading
from pathlib import Path
from types import ModuleType

from studydl.demos.errors import BadDemoModule, UnknownDemo
from studydl.domain.demos import DemoSpec
from studydl.resources import bundled_demos_dir

PACKAGE = "studydl_catalogue"
"""The package name the bundled demo modules load under."""

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_lock = threading.RLock()


def _folder(demos_dir: Path | None) -> Path:
    return (demos_dir or bundled_demos_dir()).resolve()


def _package_for(folder: Path) -> str:
    """Register (once) and name the synthetic package whose path is `folder`."""
    if folder == bundled_demos_dir().resolve():
        name = PACKAGE
    else:
        name = f"{PACKAGE}_{hashlib.sha1(str(folder).encode()).hexdigest()[:10]}"
    with _lock:
        if name not in sys.modules:
            spec = importlib.util.spec_from_loader(name, loader=None, is_package=True)
            assert spec is not None and spec.submodule_search_locations is not None
            spec.submodule_search_locations.append(str(folder))
            package = importlib.util.module_from_spec(spec)
            sys.modules[name] = package
    return name


def module_name(demo_id: str) -> str:
    """The module name of a demo id: `xor-mlp` -> `xor_mlp`."""
    return demo_id.replace("-", "_")


def known_ids(demos_dir: Path | None = None) -> frozenset[str]:
    """Every demo id in the folder, from file names only (imports nothing)."""
    folder = _folder(demos_dir)
    if not folder.is_dir():
        return frozenset()
    ids = set()
    for path in folder.glob("*.py"):
        if path.stem.startswith("_"):
            continue
        demo_id = path.stem.replace("_", "-")
        if _ID_RE.match(demo_id):
            ids.add(demo_id)
    return frozenset(ids)


def load(demo_id: str, demos_dir: Path | None = None) -> ModuleType:
    """Import the module of a known demo id and check it defines `SPEC` and `run`."""
    known = known_ids(demos_dir)
    if demo_id not in known:
        raise UnknownDemo(demo_id, known)
    package = _package_for(_folder(demos_dir))
    with _lock:
        try:
            module = importlib.import_module(f"{package}.{module_name(demo_id)}")
        except Exception as exc:
            raise BadDemoModule(
                f"demo module {module_name(demo_id)}.py failed to import: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, DemoSpec):
        raise BadDemoModule(f"demo module {module_name(demo_id)}.py has no SPEC: DemoSpec")
    if spec.id != demo_id:
        raise BadDemoModule(
            f"demo module {module_name(demo_id)}.py declares id {spec.id!r}, expected {demo_id!r}"
        )
    if not callable(getattr(module, "run", None)):
        raise BadDemoModule(f"demo module {module_name(demo_id)}.py has no run(ctx)")
    return module


def get_spec(demo_id: str, demos_dir: Path | None = None) -> DemoSpec:
    """The spec of one demo."""
    return load(demo_id, demos_dir).SPEC


def list_specs(demos_dir: Path | None = None) -> list[DemoSpec]:
    """Every demo's spec, sorted by id."""
    return [get_spec(demo_id, demos_dir) for demo_id in sorted(known_ids(demos_dir))]
